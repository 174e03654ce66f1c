/**
 * The lab's standard templates, used by the demo seed and the tests. Written as definitions
 * (tasks refer to each other by key) and saved through `saveTemplate`, which validates them.
 */
import type { TemplateDefinition } from '../repositories/templates.repository';

/**
 * Clear aligners: intake → records review → treatment plan → doctor approval → two parallel
 * branches (aligner printing on the lab machine; attachment template) joining at the final
 * inspection → shipping → delivery → closing notification.
 */
export const clearAlignerTemplate = (overrides: Partial<TemplateDefinition> = {}): TemplateDefinition => ({
  name: 'Clear aligners — standard',
  description: 'Full aligner case from intake to delivery.',
  caseType: 'active_treatment',
  tasks: [
    { key: 'intake', name: 'Case intake', order: 10, functionType: 'submit', autoTransition: true, after: [] },
    { key: 'records', name: 'Records review', order: 20, functionType: 'review', requiredRoles: ['technician'], estimatedMinutes: 240, category: 'review' },
    { key: 'plan', name: 'Treatment plan design', order: 30, functionType: 'model', requiredRoles: ['technician'], estimatedMinutes: 1440, category: 'modeling' },
    {
      key: 'approval',
      name: 'Doctor approval',
      order: 40,
      functionType: 'approve',
      requiredRoles: ['doctor'],
      estimatedMinutes: 2880,
      category: 'review',
      reworkTo: 'plan',
    },
    {
      key: 'print',
      name: 'Aligner printing',
      order: 50,
      functionType: 'manufacture',
      requiredRoles: ['technician'],
      estimatedMinutes: 2880,
      category: 'manufacturing',
      after: ['approval'],
      metadata: { completion: 'external' },
    },
    {
      key: 'attachments',
      name: 'Attachment template',
      order: 55,
      functionType: 'process',
      autoTransition: true,
      category: 'production',
      after: ['approval'],
      metadata: { instruction_type: 'attachments' },
    },
    {
      key: 'inspection',
      name: 'Final inspection',
      order: 60,
      functionType: 'quality_check',
      requiredRoles: ['technician'],
      estimatedMinutes: 480,
      category: 'quality_check',
      after: ['print', 'attachments'],
      reworkTo: 'print',
    },
    { key: 'ship', name: 'Shipping', order: 70, functionType: 'ship', requiredRoles: ['technician'], estimatedMinutes: 1440, category: 'delivery', metadata: { completion: 'external', exit_state: 'shipped' } },
    { key: 'delivery', name: 'Delivery confirmation', order: 80, functionType: 'ship', requiredRoles: ['assistant', 'technician'], category: 'delivery', metadata: { completion: 'external', exit_state: 'delivered' } },
    { key: 'closing', name: 'Closing notification', order: 90, functionType: 'notify', autoTransition: true, category: 'follow_up', actionName: 'case_completed' },
  ],
  ...overrides,
});

/** Automatic tasks only: the benchmark's "template of automatic tasks". */
export const automaticTemplate = (tasks = 4): TemplateDefinition => ({
  name: `Automatic x${tasks}`,
  caseType: 'follow_up',
  tasks: Array.from({ length: tasks }, (_, i) => ({
    key: `t${i}`,
    name: `Automatic step ${i + 1}`,
    order: (i + 1) * 10,
    functionType: 'process' as const,
    autoTransition: true,
  })),
});
