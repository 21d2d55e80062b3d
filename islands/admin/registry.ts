/**
 * @module The admin islands by name: the one list the server (`<Island name>`) and the browser
 * bundle (`client.ts`) share. Written by hand on purpose (STYLE.md §13): no globbing, no magic.
 */
import Conversation from "./Conversation.tsx";
import CopyButton from "./CopyButton.tsx";
import CountryPicker from "./CountryPicker.tsx";
import InboxList from "./InboxList.tsx";
import WidgetPreview from "./WidgetPreview.tsx";

/** Every admin island. */
export const ISLANDS = {
  Conversation,
  CopyButton,
  CountryPicker,
  InboxList,
  WidgetPreview,
} as const;

/** The name of an admin island. */
export type IslandName = keyof typeof ISLANDS;
