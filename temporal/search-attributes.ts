/**
 * MDW's custom search attributes: the one definition shared by the dev server's start-up flags
 * (`scripts/lib/temporal-dev-server.ts`), the production registration command, and workflow
 * code (`upsertTypedSearchAttributes`). Ops find cases in the Temporal UI and with
 * `temporal workflow list --query "CaseState='planning' AND Overdue=true"`.
 *
 * Only ids and codes go here: never patient-identifying data (search attributes are visible to
 * everyone with access to the namespace and are not encrypted by payload codecs).
 *
 * This module must stay free of I/O: workflow code imports it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CaseNumber = defineSearchAttributeKey('CaseNumber', SearchAttributeType.KEYWORD);
export const PracticeId = defineSearchAttributeKey('PracticeId', SearchAttributeType.KEYWORD);
export const CaseState = defineSearchAttributeKey('CaseState', SearchAttributeType.KEYWORD);
export const CasePriority = defineSearchAttributeKey('CasePriority', SearchAttributeType.KEYWORD);
export const CaseType = defineSearchAttributeKey('CaseType', SearchAttributeType.KEYWORD);
export const TemplateId = defineSearchAttributeKey('TemplateId', SearchAttributeType.KEYWORD);
export const Overdue = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);
export const AwaitingRoles = defineSearchAttributeKey('AwaitingRoles', SearchAttributeType.KEYWORD_LIST);
/** The case's slack against its seat appointment is below the threshold (issue 11, part 3). */
export const AtRisk = defineSearchAttributeKey('AtRisk', SearchAttributeType.BOOL);

export const searchAttributeKeys = [
  CaseNumber,
  PracticeId,
  CaseState,
  CasePriority,
  CaseType,
  TemplateId,
  Overdue,
  AwaitingRoles,
  AtRisk,
] as const;

/** The type names the Temporal CLI and operator API use (`--search-attribute Name=Type`). */
const cliTypeName: Record<string, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `Name=Type` pairs for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export function searchAttributeCliPairs(): string[] {
  return searchAttributeKeys.map((k) => `${k.name}=${cliTypeName[k.type]}`);
}
