import { describe, expect, it } from 'vitest';
import { detectFlavor, parseMlmodel } from '../../../electron/services/registry/flavor-detector';

describe('flavor detection', () => {
  it('prefers an MLmodel file and reads its flavors and signature inputs', () => {
    const text = [
      'flavors:',
      '  onnx:',
      '    onnx_version: 1.15.0',
      '  python_function:',
      '    loader_module: mlflow.onnx',
      'signature:',
      '  inputs: \'[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "it\'\'s"}]\'',
      '  outputs: null',
    ].join('\n');
    expect(detectFlavor(['MLmodel', 'model.onnx'], text)).toEqual({
      flavor: 'mlflow',
      flavors: ['onnx', 'python_function'],
      inputSchema: [{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] }, name: "it's" }],
    });
  });

  it('reads a double-quoted signature and tolerates a missing one', () => {
    expect(parseMlmodel('signature:\n  inputs: "[{\\"type\\": \\"long\\"}]"\n').inputSchema).toEqual([{ type: 'long' }]);
    expect(parseMlmodel('flavors:\n  sklearn: {}\n')).toEqual({ flavors: ['sklearn'], inputSchema: null });
  });

  it('falls back to file extensions', () => {
    expect(detectFlavor(['m.ONNX'], null).flavor).toBe('onnx');
    expect(detectFlavor(['ckpt/model.pt'], null).flavor).toBe('pytorch');
    expect(detectFlavor(['model.safetensors', 'config.json'], null).flavor).toBe('safetensors');
    expect(detectFlavor(['model.pickle'], null).flavor).toBe('sklearn');
    expect(detectFlavor(['notes.txt'], null)).toEqual({ flavor: 'unknown', flavors: [], inputSchema: null });
  });
});
