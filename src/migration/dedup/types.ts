/**
 * The contract between patient deduplication (src/migration/dedup/, pure, no I/O) and the
 * migration pipeline that feeds it legacy patients and writes what it decides.
 * Grades follow FHIR's `$match`: certain (merged automatically), probable and possible (the
 * review queue), no match (not returned).
 */

/** One legacy auth_user + dispatch_patient pair, as the reader sees it. */
export interface PatientRecord {
  /** The legacy dispatch_patient id, as text. */
  key: string;
  /** The legacy practice the patient's cases belong to (NULL when they have none). */
  practiceKey: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** ISO date (YYYY-MM-DD) or null. */
  birthdate: string | null;
  /** Raw legacy value: 'M', 'F', 'O', '' or null. */
  sex: string | null;
  /** How many legacy cases this copy owns. */
  caseCount: number;
}

export type MatchGrade = 'certain' | 'probable' | 'possible';

export type EvidenceField = 'name' | 'email' | 'birthdate' | 'sex' | 'practice' | 'cases';

/** Why a pair got its grade, field by field, so a person can see it. */
export interface FieldEvidence {
  field: EvidenceField;
  outcome: 'agree' | 'partial' | 'disagree' | 'missing';
  /** Contribution to the score (log-likelihood style: positive for, negative against). */
  weight: number;
  /** Human-readable detail, e.g. "birthdates differ by one day". */
  detail?: string;
}

export interface MatchPair {
  /** Record keys, a < b. */
  a: string;
  b: string;
  grade: MatchGrade;
  score: number;
  evidence: FieldEvidence[];
  /** Why the grade is lower than the score alone would give (a guard), if it is. */
  note?: string;
}

/** What blocking and scoring did: the evaluation's pair-reduction ratio comes from here. */
export interface DedupStats {
  records: number;
  /** Records compared (records minus test data). */
  compared: number;
  blocks: number;
  /** Blocks larger than maxBlockSize, not expanded into pairs (their records meet in other blocks). */
  oversizedBlocks: number;
  /** Distinct pairs scored. */
  candidatePairs: number;
  /** n·(n−1)/2 over the compared records: what scoring every pair would cost. */
  allPairs: number;
}

export interface DedupResult {
  /** Every graded pair (certain, probable, possible); "no match" pairs are not returned. */
  pairs: MatchPair[];
  /** Groups merged automatically (connected through certain pairs); first key = survivor. */
  clusters: string[][];
  /** Records recognised as test data, with how they were recognised. Not migrated as patients. */
  testData: Array<{ key: string; reason: string }>;
  stats?: DedupStats;
}

export interface DedupOptions {
  /** Pairs a person rejected ("a|b", a < b): never proposed or merged again. */
  rejectedPairs?: ReadonlySet<string>;
  /**
   * Blocks with more records than this are not expanded into pairs (a placeholder email or a
   * very common name would make cost quadratic); their records still meet in their other blocks.
   * @default 500
   */
  maxBlockSize?: number;
}

export type DedupPatients = (records: readonly PatientRecord[], options?: DedupOptions) => DedupResult;
