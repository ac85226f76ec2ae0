// Diagnostics for rnnkit: see vanishing and exploding gradients, gate saturation and NaNs as they happen.
export type { SamplingOptions, StepContext, TrainingProbe } from './probe.js';
export { combineTaps } from './probe.js';
export type { Diagnostics, DiagnosticsReport, DiagnoseOptions, ProbeResult, ProbeSet, ResultsOf, StandardProbeOptions } from './diagnostics.js';
export { createDiagnostics, diagnose, standardProbes, toJson } from './diagnostics.js';
export type { DecayFit, StateGradNormOptions, StateGradNormsResult, StateGradRecord, StateGradStep, Verdict } from './grad-norms.js';
export { effectiveHorizon, fitDecay, stateGradNormProbe } from './grad-norms.js';
export type { CellStack, JacobianProbeOptions, JacobianStep, JacobianTrack, SpectralNormOptions, StateJacobianResult } from './jacobian.js';
export { jacobianProbe, stateJacobianNorms } from './jacobian.js';
export type {
  ForgetGateOptions, ForgetGateResult, ForgetGateStep, ForgetGateTrack, GateKind, GateSaturationOptions, GateSaturationResult, GateSaturationStep, GateStats,
  StateNormResult, StateNormStep, StateNormTrack,
} from './gates.js';
export { DEFAULT_GATE_KINDS, forgetGateProbe, gateSaturationProbe, memoryTimescale, stateNormProbe } from './gates.js';
export type { GradientClipOptions, GradientClipResult, LossResult, UpdateRatioResult } from './training.js';
export { firstNonFinite, gradientClipProbe, lossProbe, updateRatioProbe } from './training.js';
export type { NonFiniteOrigin, NonFiniteResult } from './non-finite.js';
export { describeNonFinite, nonFiniteProbe } from './non-finite.js';
export type { MemoryOptions, MemoryResult, MemoryStep } from './memory.js';
export { memoryProbe } from './memory.js';
export type { HtmlReportOptions } from './html.js';
export { renderHtmlReport } from './html.js';
export type { LineChartOptions, LineSeries } from './svg/line-chart.js';
export { lineChart } from './svg/line-chart.js';
export type { HeatMapOptions } from './svg/heat-map.js';
export { heatMap } from './svg/heat-map.js';
