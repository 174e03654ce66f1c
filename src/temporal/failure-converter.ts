/**
 * Failures out of clear (issue 12 §4): an error's message and stack trace are free text (an
 * activity error may name a patient, a rejection repeats a reason), and Temporal keeps them in the
 * workflow history, which by default stores them as they are. With `encodeCommonAttributes` the
 * message and stack move into the failure's `encodedAttributes` payload, which the payload codec
 * encrypts like any other; the history keeps only "Encoded failure", the failure type and ids.
 *
 * A module of its own because the worker loads it by path (`failureConverterPath`) into the
 * workflow sandbox too, where workflow and update failures are made: clients, the worker and the
 * workflow bundle must all use it. Failures written before it (clear message, no encoded
 * attributes) still decode, so old histories replay and old failures read as before.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
