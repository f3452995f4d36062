/** A clock for the services' `now` option: it stands still until the test moves it. */
export class ManualClock {
  constructor(private time = 1_000) {}

  /** Pass as `now`: bound, so it can be handed over on its own. */
  readonly now = (): number => this.time;

  set(time: number): void {
    this.time = time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
