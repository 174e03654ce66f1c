/**
 * The contract of message-intent classification (src/ai/intent/): what workflow change a text
 * implies. Used by the API (proposals on posted messages) and by the legacy migration (state
 * history from free staff text). System texts are matched by rules (src/domain/system-texts.ts);
 * free text goes to the model.
 */
export type Intent =
  | 'submitted'
  | 'under_review'
  | 'approval_requested'
  | 'approved'
  | 'changes_requested'
  | 'on_hold'
  | 'resume'
  | 'in_production'
  | 'quality_check'
  | 'shipped'
  | 'delivered'
  | 'completed'
  | 'cancelled'
  | 'none';

export interface IntentResult {
  intent: Intent;
  /** 0..1. Below the classifier's threshold the intent is 'none'. */
  confidence: number;
  /** 'rule': a system-text rule matched; 'model': the free-text model decided. */
  source: 'rule' | 'model';
  /** Why: the rule id, or the nearest labelled examples and their similarity, or the guard that fired. */
  evidence: string[];
}

export interface IntentClassifier {
  classify(text: string): Promise<IntentResult>;
}
