/** Use as teacher: a saved model teaches only a dataset with its class count (import keeps any). */
import { describe, expect, it } from 'vitest';
import { teacherMismatch } from '../../src/app/teacherFit';

describe('teacherMismatch', () => {
  const wrn = { name: 'WRN-16-2 from wrn_16_2.pth', numClasses: 100 };

  it('refuses a 100-class model for a 10-class dataset, naming it and both counts', () => {
    expect(teacherMismatch(wrn, 10)).toBe(
      '"WRN-16-2 from wrn_16_2.pth" predicts 100 classes, but the dataset in use has 10: it cannot teach this dataset. Pick a dataset with 100 classes, or another teacher.',
    );
  });

  it('accepts it for a 100-class dataset (an imported CIFAR-100), and while no dataset is loaded', () => {
    expect(teacherMismatch(wrn, 100)).toBeNull();
    expect(teacherMismatch(wrn, null)).toBeNull();
  });
});
