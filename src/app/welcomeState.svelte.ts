/**
 * Whether the first-visit welcome shows: on a bare address (no lesson, no settings in the link) until the
 * person hides it or starts its run, which this browser then remembers.
 */
const HIDDEN_KEY = 'distillery.welcomeHidden';

export class WelcomeState {
  shown = $state(false);

  constructor(
    private readonly storage: Storage | null,
    bareAddress: boolean,
  ) {
    this.shown = bareAddress && storage?.getItem(HIDDEN_KEY) !== '1';
  }

  hide(): void {
    this.shown = false;
    this.storage?.setItem(HIDDEN_KEY, '1');
  }
}
