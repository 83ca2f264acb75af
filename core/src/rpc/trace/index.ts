// Call-chain tracing: W3C and TarsCpp trace context in the status map, spans of both sides, their log records.
export {
  STATUS_TRACE_KEY, TRACEPARENT, TRACESTATE, type TraceContext, extractTraceContext, formatTarsTraceKey,
  formatTraceparent, injectTraceContext, newSpanId, newTraceId, parseTarsTraceKey, parseTraceparent,
} from './trace-context.js';
export {type SpanFacts, type SpanRecord, TRACE_LOG_FILE, type TraceLine, parseTraceLine, spanLines} from './span.js';
export {type ActiveTrace, type ServerSpan, type SpanSink, Tracer, type TracerOptions, currentTrace} from './tracer.js';
export {LogSpanSink} from './log-sink.js';
export {
  OTLP_PACKAGES, OtlpSpanSink, type OtlpSpanSinkOptions, type OtlpSpanSinkStats, hrTime, missingOtlpPackages,
  otlpTracesUrl,
} from './otlp-sink.js';
