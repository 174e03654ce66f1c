/**
 * The template editor's model: a saved template (GET /workflow-templates/{id}) as an editable
 * definition (POST /workflow-templates/validate and …/versions), keyed by the tasks' keys, which
 * is what `after`, `reworkTo` and the compiler's errors name. Pure, unit-tested.
 */
import type { Schemas } from '../api/client';

export type Definition = Schemas['TemplateDefinition'];
export type DefinitionTask = Definition['tasks'][number];
type Template = Schemas['WorkflowTemplate'];
type TemplateError = Schemas['TemplateError'];

export function toDefinition(t: Template): Definition {
  const tasks = t.tasks ?? [];
  const keyOf = new Map(tasks.map((x) => [x.id, x.key]));
  const byOrder = [...tasks].sort((a, b) => a.order - b.order);
  return {
    name: t.name,
    caseType: t.caseType,
    tasks: byOrder.map((x, i) => ({
      key: x.key,
      name: x.name,
      order: x.order,
      functionType: x.functionType as DefinitionTask['functionType'],
      requiredRoles: x.requiredRoles,
      estimatedMinutes: x.estimatedMinutes === null ? null : Math.round(x.estimatedMinutes),
      category: x.category as DefinitionTask['category'],
      autoTransition: x.autoTransition,
      // null in the database = "after the task before it in order": made explicit for editing.
      after: x.predecessorTaskIds === null ? (i > 0 ? [byOrder[i - 1]!.key] : []) : x.predecessorTaskIds.map((id) => keyOf.get(id) ?? id),
      reworkTo: x.reworkTo,
      actionName: x.actionName,
      textPrompt: x.textPrompt,
      metadata: x.metadata,
    })),
  };
}

/** The compiler's errors by the task key they concern; errors of the whole template under ''. */
export function errorsByTask(errors: TemplateError[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const e of errors) {
    const k = e.taskId ?? '';
    m.set(k, [...(m.get(k) ?? []), e.message]);
  }
  return m;
}

/** "a, b" → ['a','b'] (blank entries dropped). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
