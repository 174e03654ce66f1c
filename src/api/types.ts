import type { DestinationStream } from 'pino';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { AuthService } from '../services/auth.service';
import type { CaseService } from '../services/case.service';
import type { FileStorage } from '../services/file-storage.service';
import type { RateLimiter } from './rate-limit';
import type { EmbeddingProvider } from '../ai/providers/types';
import type { SearchService } from '../services/search.service';
import type { IntentService } from '../services/intent.service';

/** What the API is started with: one of each, created at start-up and injected. */
export interface ApiDeps {
  config: Config;
  database: Database;
  temporal: Client;
  cases: CaseService;
  /** Where the JSON logs go (default stdout). */
  logDestination?: DestinationStream;
  /** Embedding providers by model id (default: from config); tests inject failing ones. */
  embeddingProviders?: (model: string) => EmbeddingProvider;
  /** Message intent (default: built from config, lexical encoder). */
  intent?: IntentService;
}

/** What route modules use: the deps plus the API's own services. */
export interface ApiServices extends ApiDeps {
  authService: AuthService;
  loginLimiter: RateLimiter;
  storage: FileStorage;
  search: SearchService;
  intent: IntentService;
}
