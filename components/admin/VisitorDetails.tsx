/**
 * @module What a conversation knows of its visitor (SPEC v2.4), for the conversation's details:
 * who (verified or typed), the page and context they came with, the lead and the rating, and the
 * transcript to download.
 */
import type { ComponentChildren } from "preact";
import type { Lead, Rating, Session } from "../../contract/wire.ts";

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The visitor's facts; values stay text (never markup), links only for http(s) page URLs. */
export function VisitorDetails(
  { session, lead, rating }: { session: Session; lead: Lead | null; rating: Rating | null },
) {
  const v = session.visitor;
  const context = (session.metadata?.context ?? {}) as Record<string, unknown>;
  const pageUrl = typeof context.page_url === "string" && /^https?:\/\//.test(context.page_url)
    ? context.page_url
    : null;
  const extra = Object.entries(context).filter(([k, val]) =>
    k !== "page_url" && k !== "page_title" && typeof val === "string"
  ) as [string, string][];
  return (
    <>
      <h2>
        Visitor {v.verified
          ? <span class="badge badge-green" title="Signed in by your site">Verified</span>
          : <span class="badge badge-gray">Not verified</span>}
      </h2>
      <dl class="facts facts-stacked">
        {v.name && <Fact label="Name">{v.name}</Fact>}
        {v.email && <Fact label="Email">{v.email}</Fact>}
        {v.phone && <Fact label="Phone">{v.phone}</Fact>}
        {pageUrl && (
          <Fact label="Page">
            <a href={pageUrl} target="_blank" rel="noopener noreferrer">
              {typeof context.page_title === "string" && context.page_title
                ? context.page_title
                : pageUrl}
            </a>
          </Fact>
        )}
        {extra.map(([k, val]) => <Fact key={k} label={k}>{val}</Fact>)}
      </dl>
      {lead && (
        <>
          <h2>Lead</h2>
          <dl class="facts facts-stacked">
            {lead.name && <Fact label="Name">{lead.name}</Fact>}
            {lead.email && <Fact label="Email">{lead.email}</Fact>}
            {lead.phone && <Fact label="Phone">{lead.phone}</Fact>}
            {lead.consentText && (
              <Fact label="Consent">{lead.consent ? "Given" : "Not given"}</Fact>
            )}
          </dl>
        </>
      )}
      <h2>Rating</h2>
      {rating
        ? (
          <p class="rating" aria-label={`Rated ${rating.score} out of 5`}>
            <span aria-hidden="true">
              {"★".repeat(rating.score) + "☆".repeat(5 - rating.score)}
            </span>
            {rating.comment && <q class="rating-comment">{rating.comment}</q>}
          </p>
        )
        : <p class="muted small">Not rated.</p>}
      <p class="small">
        Transcript:{" "}
        <a href={`/admin/conversations/${session.id}/transcript?format=text`}>
          text
        </a>{" "}
        ·{" "}
        <a href={`/admin/conversations/${session.id}/transcript?format=html`}>
          HTML
        </a>
      </p>
    </>
  );
}
