import { describe, expect, it } from 'vitest';
import { buildCreateDeployment, fieldOfCreateError, initialDeploymentForm, suggestDeploymentName } from '../../renderer/src/pages/deployments/deployment-form';
import { buildStartRollout, fieldOfRolloutError, initialRolloutForm, parseSteps } from '../../renderer/src/pages/deployments/rollout-form';
import { servingMethods } from '../../shared/contract/serving';

describe('the create-deployment form', () => {
  it('starts from the model version page with a name from the model and the defaults shown', () => {
    const form = initialDeploymentForm({ model: 'Iris_Classifier.v2', version: '3' });
    expect(form).toMatchObject({ name: 'iris-classifier-v2', model: 'Iris_Classifier.v2', version: '3', replicas: '1', cpus: '0.5', memoryGb: '0.5', image: 'orrery/serve:local', logRequests: true });
    expect(suggestDeploymentName('--Weird__Name--')).toBe('weird-name');
  });

  it('sends what the contract accepts: numbers as numbers, @alias as text, empty optional fields left to the defaults', () => {
    const { errors, input } = buildCreateDeployment({ ...initialDeploymentForm({ model: 'iris', version: '@champion' }), port: '', gpus: '', replicas: '2', promoteAlias: '@champion' }, 'ana');
    expect(errors).toEqual({});
    expect(input).toMatchObject({ name: 'iris', model: 'iris', version: '@champion', replicas: 2, cpus: 0.5, memoryGb: 0.5, promoteAlias: 'champion', actor: 'ana' });
    expect(input).not.toHaveProperty('port');
    expect(input).not.toHaveProperty('gpus');
    expect(servingMethods['serving.createDeployment'].input.safeParse(input).success).toBe(true);
    expect(buildCreateDeployment({ ...initialDeploymentForm({ model: 'iris', version: '7' }), port: '8123' }, 'ana').input).toMatchObject({ version: 7, port: 8123 });
  });

  it('names each wrong field in words', () => {
    const { errors, input } = buildCreateDeployment(
      { ...initialDeploymentForm(), name: 'Bad Name', model: '', version: 'latest', replicas: '0', cpus: '-1', memoryGb: 'lots', gpus: '1.5', port: '80', timeoutSeconds: '0', promoteAlias: 'no spaces' },
      'ana',
    );
    expect(input).toBeNull();
    expect(errors).toEqual({
      name: "Use 1–63 lowercase letters, digits or '-', starting with a letter or digit.",
      model: 'Pick the registered model to serve.',
      version: 'Give a version number (3) or an alias (@champion).',
      replicas: 'Replicas must be 1–16.',
      cpus: 'CPUs must be more than 0.',
      memoryGb: "'lots' is not a number.",
      gpus: 'GPUs must be a whole number.',
      port: 'Port must be 1024–65535.',
      timeoutSeconds: 'Timeout must be more than 0.',
      promoteAlias: "An alias holds only letters, digits, '_' or '-'.",
    });
  });

  it("puts the server's error under the field it is about", () => {
    expect(fieldOfCreateError('port: 8123 is in use by another program')).toBe('port');
    expect(fieldOfCreateError('version: must be a version number or @alias')).toBe('version');
    expect(fieldOfCreateError("Model 'iris' has no alias @champion")).toBe('version');
    expect(fieldOfCreateError("No registered model 'irs'")).toBe('model');
    expect(fieldOfCreateError('Not enough free GPUs: GPU 0 is held by job train-resnet')).toBe('gpus');
    expect(fieldOfCreateError('Unsupported flavor: the model has onnx; Orrery serves sklearn, xgboost, python_function')).toBe('image');
    expect(fieldOfCreateError('Docker is not running')).toBe('form');
  });
});

describe('the start-rollout form', () => {
  it('turns the typed canary settings into the contract units (percent → share, seconds → ms)', () => {
    const { errors, input } = buildStartRollout({ ...initialRolloutForm('4'), steps: '5, 50 ,100', intervalSeconds: '10', maxErrorPercent: '2', maxP95Ms: '' }, 'scorer', 'ana');
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'scorer',
      version: 4,
      strategy: 'canary',
      settings: { steps: [5, 50, 100], minRequests: 50, intervalMs: 10_000, maxErrorRate: 0.02, maxP95Ms: null, maxP95Factor: 1.5, failureLimit: 2 },
      actor: 'ana',
    });
    expect(servingMethods['serving.startRollout'].input.safeParse(input).success).toBe(true);
  });

  it("sends only the chosen strategy's settings", () => {
    const { input } = buildStartRollout({ ...initialRolloutForm('@challenger'), strategy: 'shadow', steps: 'ignored', shadowShare: '25' }, 'scorer', 'ana');
    expect(input?.version).toBe('@challenger');
    expect(input?.settings).toEqual({ minRequests: 50, shadowShare: 25, maxP95Ms: null, maxP95Factor: 1.5, shadowMinAgreement: null });
    const agreeing = buildStartRollout({ ...initialRolloutForm('4'), strategy: 'shadow', shadowMinAgreementPercent: '95' }, 'scorer', 'ana').input;
    expect(agreeing?.settings?.shadowMinAgreement).toBe(0.95);
    expect(servingMethods['serving.startRollout'].input.safeParse(agreeing).success).toBe(true);
  });

  it('asks blue-green for its keep-warm time and limits, and rolling for nothing', () => {
    const blueGreen = buildStartRollout({ ...initialRolloutForm('4'), strategy: 'blue-green', keepWarmSeconds: '90' }, 'scorer', 'ana').input;
    expect(blueGreen?.settings).toEqual({ keepWarmMs: 90_000, minRequests: 50, maxErrorRate: 0.01, maxP95Ms: null, maxP95Factor: 1.5, failureLimit: 2 });
    expect(buildStartRollout({ ...initialRolloutForm('4'), strategy: 'rolling', maxErrorPercent: 'junk' }, 'scorer', 'ana')).toEqual({
      errors: {},
      input: { name: 'scorer', version: 4, strategy: 'rolling', settings: {}, actor: 'ana' },
    });
    expect(buildStartRollout({ ...initialRolloutForm('4'), strategy: 'blue-green', keepWarmSeconds: '-1' }, 'scorer', 'ana').errors).toEqual({ keepWarmSeconds: 'Keep-warm time must be 0–86400.' });
    expect(fieldOfRolloutError('settings.keepWarmMs: must be at most 86400000')).toBe('keepWarmSeconds');
  });

  it('refuses steps that do not climb to 100 and other bad limits, naming the field', () => {
    expect(parseSteps('10, 25, 50')).toEqual({ error: 'The last step must be 100 (the candidate takes all traffic).' });
    expect(parseSteps('50, 10, 100')).toEqual({ error: 'Steps must go up, like 10, 25, 50, 100.' });
    expect(parseSteps('10, ten, 100')).toEqual({ error: "'ten' is not a percentage from 1 to 100." });
    const { errors, input } = buildStartRollout({ ...initialRolloutForm(''), minRequests: '0', maxP95Factor: '0.5', failureLimit: '1.5', maxErrorPercent: '120' }, 'scorer', 'ana');
    expect(input).toBeNull();
    expect(errors).toEqual({
      version: 'Give a version number (3) or an alias (@challenger).',
      minRequests: 'Minimum requests must be 1–1000000.',
      maxP95Factor: 'p95 factor must be 1–1000.',
      failureLimit: 'Failure limit must be a whole number.',
      maxErrorPercent: 'Maximum error rate must be at most 100.',
    });
  });

  it("maps the server's errors to the rollout's fields", () => {
    expect(fieldOfRolloutError('settings.steps: must end at 100')).toBe('steps');
    expect(fieldOfRolloutError('settings.maxErrorRate: must be 0–1')).toBe('maxErrorPercent');
    expect(fieldOfRolloutError('A rollout is already running on scorer (canary to v4)')).toBe('form');
    expect(fieldOfRolloutError('Model iris has no version 9')).toBe('version');
  });
});
