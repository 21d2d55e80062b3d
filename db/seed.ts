/** @module Demo data for an empty embedded database: one organization, admin, agent and widget. */
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { organizations } from "./schema.ts";
import { createOrganizationWithUser } from "./queries/users.ts";
import { createAgent } from "./queries/agents.ts";
import { createWidget } from "./queries/widgets.ts";
import { hashPassword } from "../lib/passwords.ts";

export const DEMO_EMAIL = "demo@parley.local";

/** What was created, to print once. */
export interface DemoData {
  email: string;
  password: string;
  widgetId: string;
}

/** Creates the demo data when the database has no organization yet. */
export async function seedDemo(db: Db): Promise<DemoData | undefined> {
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(organizations);
  if (count > 0) return undefined;
  const password = crypto.randomUUID().slice(0, 13);
  const created = await createOrganizationWithUser(db, {
    organizationName: "Parley Demo",
    email: DEMO_EMAIL,
    passwordHash: await hashPassword(password),
  });
  const organization = created!.organization;
  const agent = await createAgent(db, organization.id, { name: "Demo assistant" });
  const widget = await createWidget(db, organization.id, {
    name: "Demo widget",
    agentId: agent.id,
    headerText: "Chat with Parley",
    welcomeMessage: "Hi! I'm Parley's demo assistant. Ask me anything, or press the phone to talk.",
    allowedDomains: ["localhost", "127.0.0.1"],
    themeColor: "#4F46E5",
    // The demo shows both kinds of call (its calls are simulated unless RETELL_API_KEY is set).
    voiceMode: "both",
    phoneCountries: ["US", "CA", "GB"],
  });
  return { email: DEMO_EMAIL, password, widgetId: widget.id };
}
