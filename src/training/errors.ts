/** A model's numbers left the finite range: the run cannot go on, and the usual fix is a lower rate. */
export class TrainingDiverged extends Error {
  override readonly name = 'TrainingDiverged';

  constructor(learner: string, what: string) {
    super(`${learner}: ${what} became NaN or infinite. Try a lower learning rate.`);
  }
}
