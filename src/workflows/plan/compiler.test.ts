import { compileTemplate, findTask, isComplete, readyTasks } from './compiler';
import type {
  CompileResult,
  Plan,
  PlanTask,
  TemplateError,
  TemplateInput,
  TemplateTaskInput,
  WorkflowStepInput,
} from './plan.types';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** A human review task by default; override what the test is about. */
function task(id: string, taskOrder: number, overrides: Partial<TemplateTaskInput> = {}): TemplateTaskInput {
  return {
    id,
    taskName: `Task ${id}`,
    taskOrder,
    functionType: 'review',
    actionName: null,
    textPrompt: null,
    estimatedDurationMs: null,
    requiredRoles: ['doctor'],
    category: null,
    autoTransition: false,
    predecessorTasks: null,
    metadata: {},
    ...overrides,
  };
}

function template(tasks: TemplateTaskInput[], extra: Partial<TemplateInput> = {}): TemplateInput {
  return { id: 'tpl-1', version: 3, name: 'Aligner case', caseType: 'aligner', tasks, ...extra };
}

function step(stepOrder: number, overrides: Partial<WorkflowStepInput> = {}): WorkflowStepInput {
  return {
    stepOrder,
    name: `Step ${stepOrder}`,
    state: 'under_review',
    autoTransition: false,
    requiredRoles: ['doctor'],
    estimatedDurationMs: null,
    ...overrides,
  };
}

function compileOk(input: TemplateInput): Plan {
  const result = compileTemplate(input);
  if (!result.ok) throw new Error(`expected ok, got errors:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.plan;
}

function compileErrors(input: TemplateInput): TemplateError[] {
  const result = compileTemplate(input);
  if (result.ok) throw new Error('expected errors, template compiled');
  return result.errors;
}

function planTask(plan: Plan, id: string): PlanTask {
  const found = findTask(plan, id);
  if (!found) throw new Error(`no task ${id} in plan`);
  return found;
}

const ids = (plan: Plan): string[] => plan.tasks.map((t) => t.id);
const codes = (errors: TemplateError[]): string[] => errors.map((e) => e.code);

// ---------------------------------------------------------------------------------------------
// Graph semantics
// ---------------------------------------------------------------------------------------------

describe('compileTemplate: predecessors', () => {
  it('links tasks with null predecessors to the task with the next lower order (plain ordered list)', () => {
    // Input deliberately shuffled, with gaps in the orders.
    const plan = compileOk(template([task('c', 30), task('a', 10), task('b', 20)]));

    expect(ids(plan)).toEqual(['a', 'b', 'c']);
    expect(planTask(plan, 'a').predecessors).toEqual([]);
    expect(planTask(plan, 'b').predecessors).toEqual(['a']);
    expect(planTask(plan, 'c').predecessors).toEqual(['b']);
    expect(planTask(plan, 'a').successors).toEqual(['b']);
    expect(plan.entryTaskIds).toEqual(['a']);
    expect(plan.finalTaskIds).toEqual(['c']);
    expect(plan).toMatchObject({ templateId: 'tpl-1', templateVersion: 3, caseType: 'aligner' });
  });

  it('treats an empty predecessor list as an explicit entry task, active at case start', () => {
    const plan = compileOk(
      template([task('a', 1), task('b', 2), task('notify', 3, { predecessorTasks: [], autoTransition: true, functionType: 'notify' })]),
    );

    expect(plan.entryTaskIds).toEqual(['a', 'notify']);
    expect(planTask(plan, 'notify').predecessors).toEqual([]);
    expect(planTask(plan, 'b').predecessors).toEqual(['a']);
    expect(plan.finalTaskIds).toEqual(['b', 'notify']);
    expect(readyTasks(plan, [], [])).toEqual(['a', 'notify']);
  });

  it('runs independent branches in parallel and joins on all predecessors', () => {
    //        ┌─ scan ─┐
    // submit ┤        ├─ approve
    //        └─ model ┘
    const plan = compileOk(
      template([
        task('submit', 1, { functionType: 'submit' }),
        task('scan', 2, { functionType: 'scan', predecessorTasks: ['submit'] }),
        task('model', 3, { functionType: 'model', predecessorTasks: ['submit'] }),
        task('approve', 4, { functionType: 'approve', predecessorTasks: ['model', 'scan'] }),
      ]),
    );

    expect(planTask(plan, 'submit').successors).toEqual(['scan', 'model']);
    expect(planTask(plan, 'approve').predecessors).toEqual(['scan', 'model']);
    expect(plan.entryTaskIds).toEqual(['submit']);
    expect(plan.finalTaskIds).toEqual(['approve']);

    expect(readyTasks(plan, [], [])).toEqual(['submit']);
    expect(readyTasks(plan, ['submit'], ['submit'])).toEqual(['scan', 'model']);
    // One branch done: the join still waits; the other branch is active, so not returned again.
    expect(readyTasks(plan, ['submit', 'scan'], ['submit', 'scan', 'model'])).toEqual([]);
    expect(readyTasks(plan, ['submit', 'scan', 'model'], ['submit', 'scan', 'model'])).toEqual(['approve']);
  });

  it('sorts topologically even when a predecessor has a higher order, ties broken by order', () => {
    const plan = compileOk(
      template([
        task('late-entry', 1, { predecessorTasks: ['z'] }),
        task('x', 2, { predecessorTasks: [] }),
        task('y', 3, { predecessorTasks: ['x'] }),
        task('z', 4, { predecessorTasks: [] }),
      ]),
    );

    expect(ids(plan)).toEqual(['x', 'y', 'z', 'late-entry']);
    const position = new Map(plan.tasks.map((t, i) => [t.id, i]));
    for (const t of plan.tasks) {
      for (const p of t.predecessors) expect(position.get(p)!).toBeLessThan(position.get(t.id)!);
    }
  });

  it('ignores duplicate entries in a predecessor list', () => {
    const plan = compileOk(template([task('a', 1), task('b', 2, { predecessorTasks: ['a', 'a'] })]));
    expect(planTask(plan, 'b').predecessors).toEqual(['a']);
    expect(planTask(plan, 'a').successors).toEqual(['b']);
  });

  it('is deterministic and produces plain JSON', () => {
    const input = template([
      task('a', 1),
      task('b', 2, { predecessorTasks: ['a'] }),
      task('c', 3, { predecessorTasks: ['a'] }),
      task('d', 4, { predecessorTasks: ['b', 'c'] }),
    ]);
    const first = compileOk(input);
    const second = compileOk(structuredClone(input));
    expect(second).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it('accepts foreignTaskIds as a Set or an array and does not mutate the input', () => {
    const foreign = new Set(['other']);
    const input = template([task('b', 2), task('a', 1)], { foreignTaskIds: foreign });
    const snapshot = structuredClone(input.tasks);
    compileOk(input);
    compileOk({ ...input, foreignTaskIds: ['other'] });
    expect(input.tasks).toEqual(snapshot);
    expect([...foreign]).toEqual(['other']);
  });
});

// ---------------------------------------------------------------------------------------------
// Per-task properties
// ---------------------------------------------------------------------------------------------

describe('compileTemplate: task kind and roles', () => {
  it('derives the kind from autoTransition and metadata.completion', () => {
    const plan = compileOk(
      template([
        task('auto', 1, { autoTransition: true, functionType: 'notify', requiredRoles: null }),
        task('machine', 2, { functionType: 'manufacture', metadata: { completion: 'external' }, requiredRoles: ['technician'] }),
        task('human', 3, { functionType: 'approve' }),
        task('auto-wins', 4, { autoTransition: true, metadata: { completion: 'external' }, requiredRoles: null }),
      ]),
    );

    expect(planTask(plan, 'auto').kind).toBe('automatic');
    expect(planTask(plan, 'machine').kind).toBe('external');
    expect(planTask(plan, 'human').kind).toBe('decision');
    expect(planTask(plan, 'auto-wins').kind).toBe('automatic');
  });

  it('never outputs null roles and removes duplicate roles', () => {
    const plan = compileOk(
      template([
        task('auto', 1, { autoTransition: true, requiredRoles: null }),
        task('human', 2, { requiredRoles: ['doctor', 'owner', 'doctor'] }),
      ]),
    );
    expect(planTask(plan, 'auto').requiredRoles).toEqual([]);
    expect(planTask(plan, 'human').requiredRoles).toEqual(['doctor', 'owner']);
  });

  it('copies name, order, function, category, action name and instruction type', () => {
    const plan = compileOk(
      template([
        task('a', 1, {
          taskName: 'Design review',
          functionType: 'review',
          category: 'review',
          actionName: 'review_design',
          textPrompt: 'Please check the setup',
          metadata: { instruction_type: 'setup_review' },
        }),
        task('b', 2, { metadata: { instruction_type: '   ' } }),
        task('c', 3, { metadata: { instruction_type: 42 } }),
      ]),
    );

    expect(planTask(plan, 'a')).toMatchObject({
      name: 'Design review',
      order: 1,
      functionType: 'review',
      category: 'review',
      actionName: 'review_design',
      instructionType: 'setup_review',
    });
    expect(planTask(plan, 'a')).not.toHaveProperty('textPrompt');
    expect(planTask(plan, 'b').instructionType).toBeNull();
    expect(planTask(plan, 'c').instructionType).toBeNull();
    expect(planTask(plan, 'c').actionName).toBeNull();
  });
});

describe('compileTemplate: case states', () => {
  const fn = (functionType: TemplateTaskInput['functionType'], category: TemplateTaskInput['category'] = null) =>
    compileOk(template([task('t', 1, { functionType, category })])).tasks[0]!;

  it.each([
    ['submit', 'submitted', null],
    ['review', 'under_review', null],
    ['approve', 'planning', 'approved'],
    ['scan', 'planning', null],
    ['model', 'planning', null],
    ['manufacture', 'in_production', null],
    ['quality_check', 'quality_check', null],
    ['ship', null, 'shipped'],
    ['process', null, null],
    ['notify', null, null],
    ['archive', null, null],
  ] as const)('defaults %s to entry %s, exit %s', (functionType, entry, exit) => {
    expect(fn(functionType)).toMatchObject({ entryState: entry, exitState: exit });
  });

  it('exits a ship task of category delivery into delivered', () => {
    expect(fn('ship', 'delivery')).toMatchObject({ entryState: null, exitState: 'delivered' });
  });

  it('prefers metadata entry_state / exit_state, where null means "keep the current state"', () => {
    const plan = compileOk(
      template([
        task('a', 1, { functionType: 'review', metadata: { entry_state: 'on_hold', exit_state: 'completed' } }),
        task('b', 2, { functionType: 'approve', metadata: { entry_state: null } }),
      ]),
    );
    expect(planTask(plan, 'a')).toMatchObject({ entryState: 'on_hold', exitState: 'completed' });
    expect(planTask(plan, 'b')).toMatchObject({ entryState: null, exitState: 'approved' });
  });

  it('takes the entry state and the estimate from the workflow step named by metadata.step_order', () => {
    const plan = compileOk(
      template(
        [
          task('a', 1, { functionType: 'approve', metadata: { step_order: 2 } }),
          task('b', 2, { metadata: { step_order: '2' }, estimatedDurationMs: 1000 }),
          task('c', 3, { metadata: { step_order: 2, entry_state: 'on_hold' } }),
          task('d', 4, { metadata: { step_order: 99 } }),
        ],
        { steps: [step(1, { state: 'submitted' }), step(2, { state: 'in_production', estimatedDurationMs: 86_400_000 })] },
      ),
    );

    // Step gives the entry state; the function default still gives the exit state.
    expect(planTask(plan, 'a')).toMatchObject({ entryState: 'in_production', exitState: 'approved', estimatedMs: 86_400_000 });
    // The task's own estimate wins over the step's.
    expect(planTask(plan, 'b')).toMatchObject({ entryState: 'in_production', estimatedMs: 1000 });
    // Explicit metadata wins over the step.
    expect(planTask(plan, 'c').entryState).toBe('on_hold');
    // A step_order that names no step falls back to the function defaults.
    expect(planTask(plan, 'd')).toMatchObject({ entryState: 'under_review', estimatedMs: null });
  });
});

// ---------------------------------------------------------------------------------------------
// Rework
// ---------------------------------------------------------------------------------------------

describe('compileTemplate: rework', () => {
  //            ┌─ scan (3) ──┐
  // submit(1) ─ design(2) ─┤             ├─ approve(5) ─ notify(6, auto) ─ ship(7)
  //            └─ model (4) ─┘
  //                         └─ label(8): side branch not leading to approve
  const graph = (approveMeta: Record<string, unknown> = {}): TemplateInput =>
    template([
      task('submit', 1, { functionType: 'submit' }),
      task('design', 2),
      task('scan', 3, { functionType: 'scan', predecessorTasks: ['design'] }),
      task('model', 4, { functionType: 'model', predecessorTasks: ['design'] }),
      task('approve', 5, { functionType: 'approve', predecessorTasks: ['scan', 'model'], metadata: approveMeta }),
      task('notify', 6, { functionType: 'notify', autoTransition: true, requiredRoles: null }),
      task('ship', 7, { functionType: 'ship', requiredRoles: ['technician'] }),
      task('label', 8, { functionType: 'process', autoTransition: true, predecessorTasks: ['model'] }),
    ]);

  it('defaults to the direct predecessor with the highest order', () => {
    const plan = compileOk(graph());
    expect(planTask(plan, 'approve').reworkTargetId).toBe('model');
    expect(planTask(plan, 'approve').reworkResetIds).toEqual(['model', 'approve']);
    expect(planTask(plan, 'design').reworkTargetId).toBe('submit');
    expect(planTask(plan, 'design').reworkResetIds).toEqual(['submit', 'design']);
  });

  it('skips automatic notify/archive predecessors in the default', () => {
    const plan = compileOk(graph());
    // ship's only predecessor is the automatic notify: nothing else qualifies, so itself.
    expect(planTask(plan, 'ship').reworkTargetId).toBe('ship');
    expect(planTask(plan, 'ship').reworkResetIds).toEqual(['ship']);

    const withNotifyAndHuman = compileOk(
      template([
        task('a', 1),
        task('n', 5, { functionType: 'notify', autoTransition: true, predecessorTasks: [] }),
        task('b', 6, { predecessorTasks: ['a', 'n'] }),
      ]),
    );
    expect(planTask(withNotifyAndHuman, 'b').reworkTargetId).toBe('a');
  });

  it('uses the task itself for an entry task', () => {
    const plan = compileOk(graph());
    expect(planTask(plan, 'submit').reworkTargetId).toBe('submit');
    expect(planTask(plan, 'submit').reworkResetIds).toEqual(['submit']);
  });

  it('resets the target, everything between it and the rejected task, and the task (not side branches)', () => {
    const plan = compileOk(graph({ rework_task_id: 'design' }));
    const approve = planTask(plan, 'approve');
    expect(approve.reworkTargetId).toBe('design');
    // label (8) descends from design but does not lead to approve: it keeps its status.
    expect(approve.reworkResetIds).toEqual(['design', 'scan', 'model', 'approve']);
  });

  it('accepts a rework target by task order (number or numeric string)', () => {
    expect(planTask(compileOk(graph({ rework_task_order: 1 })), 'approve').reworkResetIds).toEqual([
      'submit',
      'design',
      'scan',
      'model',
      'approve',
    ]);
    expect(planTask(compileOk(graph({ rework_task_order: '3' })), 'approve').reworkResetIds).toEqual(['scan', 'approve']);
    expect(planTask(compileOk(graph({ rework_task_order: 5 })), 'approve').reworkResetIds).toEqual(['approve']);
  });

  it('lets rework_task_id win over rework_task_order', () => {
    const plan = compileOk(graph({ rework_task_id: 'scan', rework_task_order: 1 }));
    expect(planTask(plan, 'approve').reworkTargetId).toBe('scan');
  });
});

// ---------------------------------------------------------------------------------------------
// Steps fallback
// ---------------------------------------------------------------------------------------------

describe('compileTemplate: steps fallback', () => {
  it('compiles steps into a linear plan when the template has no tasks', () => {
    const plan = compileOk(
      template([], {
        steps: [
          step(3, { name: 'Ship', state: 'shipped', autoTransition: true, requiredRoles: null }),
          step(1, { name: 'Review', state: 'under_review', estimatedDurationMs: 3_600_000 }),
          step(2, { name: 'Produce', state: 'in_production', requiredRoles: ['technician', 'admin'] }),
        ],
      }),
    );

    expect(ids(plan)).toEqual(['step-1', 'step-2', 'step-3']);
    expect(plan.entryTaskIds).toEqual(['step-1']);
    expect(plan.finalTaskIds).toEqual(['step-3']);
    expect(planTask(plan, 'step-2').predecessors).toEqual(['step-1']);
    expect(planTask(plan, 'step-1')).toMatchObject({
      name: 'Review',
      order: 1,
      functionType: 'review',
      kind: 'decision',
      entryState: 'under_review',
      exitState: null,
      requiredRoles: ['doctor'],
      estimatedMs: 3_600_000,
      reworkTargetId: 'step-1',
    });
    expect(planTask(plan, 'step-2')).toMatchObject({
      functionType: 'review',
      entryState: 'in_production',
      requiredRoles: ['technician', 'admin'],
      reworkTargetId: 'step-1',
    });
    expect(planTask(plan, 'step-3')).toMatchObject({
      functionType: 'process',
      kind: 'automatic',
      entryState: 'shipped',
      exitState: null,
      requiredRoles: [],
    });
  });

  it('reports problems of synthetic step tasks under their step-<order> id', () => {
    const errors = compileErrors(template([], { steps: [step(1, { requiredRoles: null }), step(2, { estimatedDurationMs: -1 })] }));
    expect(errors).toEqual([
      expect.objectContaining({ code: 'decision_without_roles', taskId: 'step-1', taskName: 'Step 1' }),
      expect.objectContaining({ code: 'negative_duration', taskId: 'step-2' }),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors: one test per code, each checking the task is named
// ---------------------------------------------------------------------------------------------

describe('compileTemplate: errors', () => {
  function expectSingle(result: TemplateError[], code: string, taskId: string, taskName: string): TemplateError {
    const matching = result.filter((e) => e.code === code);
    expect(matching).toHaveLength(1);
    const error = matching[0]!;
    expect(error.taskId).toBe(taskId);
    expect(error.taskName).toBe(taskName);
    expect(error.message).toContain(`"${taskName}"`);
    return error;
  }

  it('no_tasks: neither tasks nor steps', () => {
    const errors = compileErrors(template([], { steps: [] }));
    expect(errors).toEqual([expect.objectContaining({ code: 'no_tasks', taskId: null, taskName: null })]);
    expect(errors[0]!.message).toContain('"Aligner case"');
    expect(codes(compileErrors(template([])))).toEqual(['no_tasks']);
  });

  it('duplicate_task_order', () => {
    const errors = compileErrors(
      template([task('a', 1), task('b', 2, { taskName: 'Design review' }), task('c', 2, { taskName: 'Model check' })]),
    );
    const error = expectSingle(errors, 'duplicate_task_order', 'c', 'Model check');
    expect(error.message).toBe('Task "Model check" (order 2) has the same task order as task "Design review"; each task needs its own order.');
    expect(codes(errors)).toEqual(['duplicate_task_order']);
  });

  it('duplicate_task_id', () => {
    const errors = compileErrors(template([task('a', 1, { taskName: 'Submit' }), task('a', 2, { taskName: 'Review' })]));
    const error = expectSingle(errors, 'duplicate_task_id', 'a', 'Review');
    expect(error.message).toContain('already used by task "Submit" (order 1)');
    expect(codes(errors)).toEqual(['duplicate_task_id']);
  });

  it('self_predecessor', () => {
    const errors = compileErrors(template([task('a', 1), task('b', 2, { taskName: 'Design review', predecessorTasks: ['a', 'b'] })]));
    expectSingle(errors, 'self_predecessor', 'b', 'Design review');
    expect(codes(errors)).toEqual(['self_predecessor']);
  });

  it('unknown_predecessor, with the message naming task, order and the missing id', () => {
    const missing = '9b1c0d7e-0000-4000-8000-000000000000';
    const errors = compileErrors(
      template([task('a', 1), task('b', 3, { taskName: 'Design review', predecessorTasks: ['a', missing] })]),
    );
    const error = expectSingle(errors, 'unknown_predecessor', 'b', 'Design review');
    expect(error.message).toBe(`Task "Design review" (order 3) lists predecessor ${missing} which is not a task of this template.`);
    expect(codes(errors)).toEqual(['unknown_predecessor']);
  });

  it('cross_template_predecessor when the id belongs to another template', () => {
    const errors = compileErrors(
      template([task('a', 1), task('b', 2, { taskName: 'Design review', predecessorTasks: ['elsewhere'] })], {
        foreignTaskIds: ['elsewhere'],
      }),
    );
    const error = expectSingle(errors, 'cross_template_predecessor', 'b', 'Design review');
    expect(error.message).toContain('elsewhere');
    expect(error.message).toContain('another template');
    expect(codes(errors)).toEqual(['cross_template_predecessor']);
  });

  it('cycle: one error per task on the cycle, naming the other members', () => {
    const errors = compileErrors(
      template([
        task('a', 1),
        task('b', 2, { taskName: 'Scan', predecessorTasks: ['a', 'd'] }),
        task('c', 3, { taskName: 'Model' }),
        task('d', 4, { taskName: 'Check' }),
        task('e', 5, { taskName: 'Ship' }),
      ]),
    );
    expect(codes(errors)).toEqual(['cycle', 'cycle', 'cycle']);
    expect(errors.map((e) => e.taskId)).toEqual(['b', 'c', 'd']);
    expect(errors[0]!.message).toContain('Task "Scan" (order 2)');
    expect(errors[0]!.message).toContain('task "Model" (order 3)');
    expect(errors[0]!.message).toContain('task "Check" (order 4)');
    expect(errors[2]!.message).toContain('task "Scan" (order 2)');
  });

  it('decision_without_roles for decision and external tasks, not for automatic ones', () => {
    const errors = compileErrors(
      template([
        task('a', 1, { taskName: 'Approve plan', requiredRoles: null }),
        task('b', 2, { taskName: 'Mill', requiredRoles: [], metadata: { completion: 'external' } }),
        task('c', 3, { taskName: 'Notify', requiredRoles: null, autoTransition: true }),
      ]),
    );
    expect(codes(errors)).toEqual(['decision_without_roles', 'decision_without_roles']);
    expectSingle(errors.slice(0, 1), 'decision_without_roles', 'a', 'Approve plan');
    expectSingle(errors.slice(1), 'decision_without_roles', 'b', 'Mill');
  });

  it('invalid_state for bad metadata states and bad step states', () => {
    const errors = compileErrors(
      template(
        [
          task('a', 1, { taskName: 'Review', metadata: { entry_state: 'reviewing' } }),
          task('b', 2, { taskName: 'Approve', metadata: { exit_state: 7 } }),
          task('c', 3, { taskName: 'Produce', metadata: { step_order: 1 } }),
        ],
        { steps: [step(1, { state: 'bogus' as never })] },
      ),
    );
    expect(codes(errors)).toEqual(['invalid_state', 'invalid_state', 'invalid_state']);
    expect(errors[0]).toMatchObject({ taskId: 'a', taskName: 'Review' });
    expect(errors[0]!.message).toContain('"reviewing"');
    expect(errors[1]).toMatchObject({ taskId: 'b' });
    expect(errors[2]).toMatchObject({ taskId: 'c' });
    expect(errors[2]!.message).toContain('"bogus"');
  });

  it('invalid_rework_target: unknown id, unknown order, wrong type, not an ancestor', () => {
    const errors = compileErrors(
      template([
        task('a', 1),
        task('b', 2, { taskName: 'Unknown id', metadata: { rework_task_id: 'nope' } }),
        task('c', 3, { taskName: 'Unknown order', metadata: { rework_task_order: 42 } }),
        task('d', 4, { taskName: 'Wrong type', metadata: { rework_task_id: 5 } }),
        task('e', 5, { taskName: 'Downstream', metadata: { rework_task_id: 'f' } }),
        task('f', 6),
        task('side', 7, { predecessorTasks: [] }),
        task('g', 8, { taskName: 'Side branch', predecessorTasks: ['f'], metadata: { rework_task_order: 7 } }),
      ]),
    );
    expect(codes(errors)).toEqual(Array(5).fill('invalid_rework_target'));
    expect(errors.map((e) => e.taskId)).toEqual(['b', 'c', 'd', 'e', 'g']);
    expect(errors[3]!.message).toContain('Task "Downstream" (order 5) sends rework to task "Task f" (order 6)');
    expect(errors[4]!.message).toContain('does not come before it');
  });

  it('negative_duration, also for an estimate inherited from a step', () => {
    const errors = compileErrors(
      template(
        [
          task('a', 1, { taskName: 'Scan', estimatedDurationMs: -5 }),
          task('b', 2, { taskName: 'Model', metadata: { step_order: 1 } }),
          task('c', 3, { taskName: 'Zero is fine', estimatedDurationMs: 0 }),
          task('d', 4, { taskName: 'NaN', estimatedDurationMs: Number.NaN }),
        ],
        { steps: [step(1, { estimatedDurationMs: -1 })] },
      ),
    );
    expect(codes(errors)).toEqual(['negative_duration', 'negative_duration', 'negative_duration']);
    expect(errors.map((e) => e.taskId)).toEqual(['a', 'b', 'd']);
    expect(errors[0]!.message).toContain('Task "Scan" (order 1)');
    expect(errors[1]!.message).toContain('workflow step 1');
  });

  it('unreachable: no path from an entry task', () => {
    // a ↔ b is a cycle with no entry; c hangs off the cycle and is unreachable.
    const errors = compileErrors(
      template([
        task('a', 1, { predecessorTasks: ['b'] }),
        task('b', 2),
        task('c', 3, { taskName: 'Downstream', predecessorTasks: ['a'] }),
      ]),
    );
    expect(codes(errors)).toEqual(['cycle', 'cycle', 'unreachable']);
    const error = expectSingle(errors, 'unreachable', 'c', 'Downstream');
    expect(error.message).toContain('can never start');
  });

  it('unreachable also flags tasks behind a broken predecessor, but not the broken task twice', () => {
    const errors = compileErrors(
      template([task('a', 1), task('b', 2, { predecessorTasks: ['missing'] }), task('c', 3, { taskName: 'After b' })]),
    );
    expect(errors.map((e) => [e.code, e.taskId])).toEqual([
      ['unknown_predecessor', 'b'],
      ['unreachable', 'c'],
    ]);
  });

  it('collects every error, grouped by task in template order', () => {
    const errors = compileErrors(
      template(
        [
          task('a', 1, { requiredRoles: null, estimatedDurationMs: -1 }),
          task('b', 2, { predecessorTasks: ['b', 'ghost'], metadata: { entry_state: 'x', rework_task_id: 'zzz' } }),
          task('b', 3),
          task('c', 3),
        ],
        { foreignTaskIds: new Set(['ghost']) },
      ),
    );
    expect(errors.map((e) => [e.code, e.taskId])).toEqual([
      ['decision_without_roles', 'a'],
      ['negative_duration', 'a'],
      ['self_predecessor', 'b'],
      ['cross_template_predecessor', 'b'],
      ['invalid_state', 'b'],
      ['invalid_rework_target', 'b'],
      ['duplicate_task_id', 'b'],
      ['unreachable', 'c'],
    ]);
    for (const error of errors) expect(error.message).toMatch(/^Task ".+" \(order \d+\) /);
  });

  it('returns either a plan or errors, never both', () => {
    const ok: CompileResult = compileTemplate(template([task('a', 1)]));
    const bad: CompileResult = compileTemplate(template([task('a', 1, { requiredRoles: null })]));
    expect(Object.keys(ok).sort()).toEqual(['ok', 'plan']);
    expect(Object.keys(bad).sort()).toEqual(['errors', 'ok']);
  });
});

// ---------------------------------------------------------------------------------------------
// Workflow helpers
// ---------------------------------------------------------------------------------------------

describe('readyTasks / isComplete / findTask', () => {
  const plan = compileOk(
    template([
      task('a', 1),
      task('b', 2, { predecessorTasks: ['a'] }),
      task('c', 3, { predecessorTasks: ['a'] }),
      task('d', 4, { predecessorTasks: ['b', 'c'] }),
    ]),
  );

  it('walks a diamond to completion', () => {
    expect(readyTasks(plan, [], [])).toEqual(['a']);
    expect(readyTasks(plan, [], ['a'])).toEqual([]);
    expect(readyTasks(plan, ['a'], ['a'])).toEqual(['b', 'c']);
    expect(readyTasks(plan, ['a'], ['a', 'b'])).toEqual(['c']);
    expect(readyTasks(plan, ['a', 'b'], ['a', 'b', 'c'])).toEqual([]);
    expect(readyTasks(plan, ['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual(['d']);
    expect(readyTasks(plan, ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'])).toEqual([]);
  });

  it('never returns a done task even if the caller forgot it in activeOrDoneIds', () => {
    expect(readyTasks(plan, ['a'], [])).toEqual(['b', 'c']);
  });

  it('re-offers reset tasks after rework', () => {
    // d rejected; default target is its highest-order predecessor c: c and d go back to pending.
    const reset = planTask(plan, 'd').reworkResetIds;
    expect(reset).toEqual(['c', 'd']);
    const done = ['a', 'b', 'c'].filter((id) => !reset.includes(id));
    expect(readyTasks(plan, done, done)).toEqual(['c']);
  });

  it('isComplete only when every task is done', () => {
    expect(isComplete(plan, [])).toBe(false);
    expect(isComplete(plan, ['a', 'b', 'd'])).toBe(false);
    expect(isComplete(plan, ['d', 'c', 'b', 'a'])).toBe(true);
    expect(isComplete(plan, ['a', 'b', 'c', 'd', 'unrelated'])).toBe(true);
  });

  it('findTask', () => {
    expect(findTask(plan, 'c')?.order).toBe(3);
    expect(findTask(plan, 'nope')).toBeUndefined();
  });
});
