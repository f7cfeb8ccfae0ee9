/**
 * The silhouettes the t-SNE panel last computed for a teacher's responses to plain inputs and to x*, so a
 * lesson can judge its question from what the learner saw. Tied to the teacher's test logits: a new run's
 * teacher has other logits, and the old reading no longer counts.
 */
export interface ResponsesSilhouetteReading {
  /** The teacher's test logits the plain map was made from (compared by identity). */
  readonly source: Float32Array;
  readonly gamma: number;
  readonly plain: number;
  readonly reinforced: number;
}

export class TsneReadings {
  latest = $state.raw<ResponsesSilhouetteReading | null>(null);

  record(reading: ResponsesSilhouetteReading): void {
    this.latest = reading;
  }

  /** The reading for this teacher's logits, or null when none was made of them. */
  for(source: Float32Array | undefined): Omit<ResponsesSilhouetteReading, 'source'> | null {
    const reading = this.latest;
    return reading && source && reading.source === source ? { gamma: reading.gamma, plain: reading.plain, reinforced: reading.reinforced } : null;
  }
}
