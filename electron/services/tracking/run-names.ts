const ADJECTIVES = ['brave', 'calm', 'bright', 'swift', 'quiet', 'bold', 'keen', 'merry', 'lucid', 'nimble'];
const NOUNS = ['comet', 'nebula', 'quasar', 'pulsar', 'meteor', 'aurora', 'nova', 'orbit', 'zenith', 'eclipse'];

/** A name for a run created without one, as MLflow makes up: `swift-comet-42`. */
export function randomRunName(): string {
  const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
