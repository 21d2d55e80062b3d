/**
 * @module The agent form's fields. With a Retell account that answered, the chat agent, voice
 * agent and outbound number are pickers of what that account holds (by name); without one, or
 * when Retell failed, they are typed ids and the form says why. Either way the server checks the
 * ids against the organization's account on save.
 */
import { Field, type FieldErrors, TextField } from "./ui.tsx";
import { Icon } from "./icons.tsx";

/** One thing of the Retell account to pick: its id and what the owner reads. */
export interface RetellChoice {
  value: string;
  label: string;
}

/** What the form can offer (the route works it out from the organization's account). */
export type RetellChoices =
  | {
    kind: "listed";
    chatAgents: RetellChoice[];
    voiceAgents: RetellChoice[];
    phoneNumbers: RetellChoice[];
  }
  | { kind: "no_account" }
  | { kind: "unavailable" };

/** The form's values as typed or stored. */
export interface AgentValues {
  name?: string | null;
  retellChatAgentId?: string | null;
  retellAgentId?: string | null;
  fromNumber?: string | null;
}

function Picker(
  props: {
    name: keyof AgentValues;
    label: string;
    value?: string | null;
    error?: string;
    hint: string;
    choices: RetellChoice[];
    none: string;
  },
) {
  const value = props.value ?? "";
  // An id saved earlier that the account no longer lists stays visible rather than vanishing.
  const gone = value && !props.choices.some((c) => c.value === value);
  return (
    <Field name={props.name} label={props.label} hint={props.hint} error={props.error} optional>
      {(aria) => (
        <select {...aria}>
          <option value="" selected={!value}>{props.none}</option>
          {gone && <option value={value} selected>{value} (not in this Retell account)</option>}
          {props.choices.map((c) => (
            <option key={c.value} value={c.value} selected={c.value === value}>{c.label}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Why the ids are typed, when they are. */
function TypedIdsNote({ kind }: { kind: "no_account" | "unavailable" }) {
  return kind === "no_account"
    ? (
      <div class="notice notice-info" role="note">
        <Icon name="settings" />
        <div>
          No Retell account is connected, so the built-in demo agent answers and calls are
          simulated. <a href="/admin/settings">Connect your Retell account</a>{" "}
          to pick its agents and numbers here.
        </div>
      </div>
    )
    : (
      <div class="notice notice-warn" role="status">
        <Icon name="alert" />
        <div>
          Retell did not answer just now, so your agents and numbers cannot be listed. Type their
          ids instead: Parley checks them with Retell when you save.
        </div>
      </div>
    );
}

/** The agent form's fields. */
export function AgentFields(
  { values, errors, choices }: {
    values: AgentValues;
    errors: FieldErrors;
    choices: RetellChoices;
  },
) {
  const name = (
    <TextField
      name="name"
      label="Name"
      value={values.name}
      error={errors.name}
      placeholder="Support assistant"
      hint="Shown to you only; visitors see the widget's header text."
      maxLength={100}
      required
    />
  );
  if (choices.kind === "listed") {
    const empty = (what: string, list: RetellChoice[]) =>
      list.length ? "" : ` Your Retell account has no ${what} yet: create one in Retell first.`;
    return (
      <>
        {name}
        <Picker
          name="retellChatAgentId"
          label="Retell chat agent"
          value={values.retellChatAgentId}
          error={errors.retellChatAgentId}
          hint={`Answers text messages.${empty("chat agents", choices.chatAgents)}`}
          choices={choices.chatAgents}
          none="None"
        />
        <Picker
          name="retellAgentId"
          label="Retell voice agent"
          value={values.retellAgentId}
          error={errors.retellAgentId}
          hint={`Takes phone and browser calls when a visitor switches to voice.${
            empty("voice agents", choices.voiceAgents)
          }`}
          choices={choices.voiceAgents}
          none="None: no calls"
        />
        <Picker
          name="fromNumber"
          label="Outbound number"
          value={values.fromNumber}
          error={errors.fromNumber}
          hint={`The Retell number that calls visitors. Needed for phone calls.${
            empty("phone numbers", choices.phoneNumbers)
          }`}
          choices={choices.phoneNumbers}
          none="None: no phone calls"
        />
      </>
    );
  }
  return (
    <>
      <TypedIdsNote kind={choices.kind} />
      {name}
      <TextField
        name="retellChatAgentId"
        label="Retell chat agent id"
        value={values.retellChatAgentId}
        error={errors.retellChatAgentId}
        placeholder="agent_..."
        hint="Answers text messages."
        optional
        class="mono"
      />
      <TextField
        name="retellAgentId"
        label="Retell voice agent id"
        value={values.retellAgentId}
        error={errors.retellAgentId}
        placeholder="agent_..."
        hint="Takes phone and browser calls when a visitor switches to voice."
        optional
        class="mono"
      />
      <TextField
        name="fromNumber"
        label="Outbound number"
        type="tel"
        value={values.fromNumber}
        error={errors.fromNumber}
        placeholder="+14155550123"
        hint="The Retell number that calls visitors, in international format. Needed for phone calls."
        optional
        autocomplete="off"
      />
    </>
  );
}
