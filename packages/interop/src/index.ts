// @rnnkit/interop: weights from and to PyTorch (safetensors), Keras/tfjs (model.json) and ONNX,
// through explicit layout adapters with one declared convention per system (docs/interop.md).
export type { HostTensor, HostTensors } from './host.js';
export { host, identical, toHost, toTensor } from './host.js';
export type { HostCellParams, HostRecurrentParams, InteropNetwork, RecurrentKind, RecurrentSpec, RecurrentStack } from './spec.js';
export { ConversionRefused, InteropFormatError, expectedCellShapes, outputSizeOf, stackOutputSize, validateStack } from './spec.js';
export type { SystemConvention } from './conventions.js';
export { KERAS, ONNX, PYTORCH, RNNKIT_GATES, TFJS_BASIC_LSTM } from './conventions.js';
export type { PytorchImportOptions, PytorchNetworkNames } from './pytorch.js';
export {
  checkPytorchCompatible, findPytorchRecurrentModules, fromPytorchNetworkStateDict, fromPytorchStateDict, pytorchName, toPytorchNetworkStateDict,
  toPytorchStateDict,
} from './pytorch.js';
export { exportPytorchSafetensors, importPytorchSafetensors, readSafetensorsF32 } from './safetensors.js';
export type { KerasCellWeights, KerasTarget } from './keras.js';
export { checkKerasCompatible, fromKerasCell, kerasClass, toKerasCell } from './keras.js';
export type { TfjsModelJson, TfjsShards, TfjsWeightSpec } from './tfjs.js';
export { importTfjsModel, kerasLayerSpec, readTfjsWeights } from './tfjs.js';
export type { BasicLstmCellWeights } from './basic-lstm.js';
export { fromBasicLstmCell, toBasicLstmCell } from './basic-lstm.js';
export type { OnnxRecurrentAttributes, OnnxRecurrentLayer } from './onnx/convert.js';
export { checkOnnxCompatible, fromOnnxLayer, toOnnxLayer } from './onnx/convert.js';
export type { OnnxExportOptions, OnnxImport } from './onnx/model.js';
export { exportOnnx, importOnnx } from './onnx/model.js';
export type { CellTensors, RunNetworkOptions } from './rnnkit.js';
export { cellOf, recurrentOf, runNetwork, stackFromParams, stackToParams } from './rnnkit.js';
