/**
 * zod with `.openapi()` metadata. Every schema of the HTTP edge imports `z` from here so the
 * extension is installed before any schema is declared.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
