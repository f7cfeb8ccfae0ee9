/**
 * The lessons. Each run is sized to train in about three minutes on this machine's fastest CPU path (tfjs's
 * WebAssembly backend, two cores), from a ready teacher, so distilling starts at once; the page shows the
 * estimate for the device in front of it. Every question is judged from the learner's own run (./judges).
 */
import type { Lesson } from './types';

/** The ready teachers' saved-model ids (public/teachers/manifest.json; a unit test checks they are there). */
export const READY = { resnet20: 'm-d2639b5caf1c9468', weakResnet20: 'm-ad2d072d2151c656' } as const;

const SGD = 'lr=0.05&batch=64&momentum=0.9&weightDecay=0.0005&nesterov=0&schedule=cosine&augment=1&seed=1';
const FROM_READY = `dataset=cifar10-subset&teacher=resnet20&savedTeacher=${READY.resnet20}&student=resnet8`;
/** KD as RepDistiller runs it: T 4, 0.1 cross-entropy + 0.9 KD. */
const KD = 'method=kd&T=4&alpha=0.9&ceWeight=0.1';

const studentVsScratch = (method: 'kd' | 'oracle', name: string) => ({
  id: `${method}-accuracy`,
  prompt: `In your run, did the ${name} student beat its scratch twin on the test images?`,
  choices: [
    { id: 'student', label: `Yes: the ${name} student is clearly ahead` },
    { id: 'scratch', label: 'No: the scratch student is clearly ahead' },
    { id: 'unclear', label: 'Cannot tell: the difference is within the noise' },
  ],
  judge: 'student-vs-scratch-accuracy' as const,
  method,
  rule: 'The accuracy difference with its 95% paired bootstrap interval over the test images: "cannot tell" when the interval holds 0.',
});

export const LESSONS: readonly Lesson[] = [
  {
    id: 'dark-knowledge',
    title: 'Dark knowledge and temperature',
    summary: 'What a trained teacher knows beyond its top answer, and how the temperature brings it out.',
    steps: [
      {
        title: 'A teacher that is already trained',
        text: [
          'A teacher network gives, for each picture, a probability for every class. Its top class is its answer; the small probabilities it gives the other classes are what Hinton called dark knowledge: a cat looks a little like a dog, hardly like a truck.',
          'This lesson uses a ready ResNet-20, trained beforehand on the CIFAR-10 subset. The run evaluates it on the test images and distils a small ResNet-8 from it.',
        ],
        settings: { query: `${FROM_READY}&${KD}&epochs=2&subset=1024&testSubset=1017&${SGD}`, train: true },
        panel: 'results-title',
      },
      {
        title: 'Soften the answers',
        text: [
          'The dark-knowledge panel shows the teacher\u2019s probabilities for one test picture. Dividing the logits by a temperature T above 1 before the softmax flattens them: the top class loses, the others gain and become visible.',
          'Move the temperature from 1 to 8 and step through a few pictures of cats.',
        ],
        panel: 'dark-knowledge-title',
      },
      {
        title: 'What does a cat look like?',
        text: ['Averaged over every cat among the test images, at T = 4 as in KD, the teacher spreads its probability over the other classes.'],
        panel: 'dark-knowledge-title',
        question: {
          id: 'cat-look-alike',
          prompt: 'Among these four classes, which one does your teacher find most like a cat (highest mean probability on the test cats, T = 4)?',
          choices: ['dog', 'deer', 'frog', 'truck'].map((c) => ({ id: c, label: c })),
          judge: 'cat-look-alike',
          method: 'kd',
          rule: 'The class with the highest mean softened probability (T = 4) over the test images labelled cat.',
        },
      },
      {
        title: 'How much is dark?',
        text: ['The student learns from the whole softened distribution, not only the top class: the more probability lies off the top class, the more there is to learn beyond the label.'],
        question: {
          id: 'dark-share',
          prompt: 'At T = 4, what share of your teacher\u2019s probability lies off its top class, averaged over the test images?',
          choices: [
            { id: 'under-20', label: 'Under 20%' },
            { id: '20-50', label: '20% to 50%' },
            { id: 'over-50', label: 'Over 50%' },
          ],
          judge: 'dark-share',
          method: 'kd',
          rule: 'The mean over the test images of 1 \u2212 the top softened probability at T = 4.',
        },
      },
    ],
  },
  {
    id: 'kd-vs-scratch',
    title: 'Knowledge distillation against training from scratch',
    summary: 'The same small network trained twice, once alone and once from a teacher, and how sure we can be which won.',
    steps: [
      {
        title: 'Two twins',
        text: [
          'The page always trains the student twice from the same initial weights, on the same images in the same order: once from the labels alone (scratch), once from the labels and the teacher\u2019s softened answers (KD, T = 4, weights 0.1 and 0.9 as in RepDistiller).',
          'Any difference between the twins is the teacher\u2019s doing, or chance.',
        ],
        settings: { query: `${FROM_READY}&${KD}&epochs=4&subset=1600&testSubset=1017&${SGD}`, train: true },
        panel: 'curves-title',
      },
      {
        title: 'Read the race',
        text: ['The curves show both students\u2019 test accuracy after each epoch. The results table gives the last epoch\u2019s numbers and the distilled student\u2019s lead over its twin, with a 95% interval from resampling the test images.'],
        panel: 'results-title',
        question: studentVsScratch('kd', 'distilled'),
      },
      {
        title: 'Why an interval',
        text: [
          'With about a thousand test images, one image is 0.1 points. Two models that are equally good still differ by a point or two on a given test set: the interval says how large a difference chance alone would make.',
          'Run it again with another seed (Settings, Seed) and see how much the lead moves.',
        ],
        panel: 'results-title',
      },
    ],
  },
  {
    id: 'calibration',
    title: 'Calibration and temperature scaling',
    summary: 'When a model says 90%, is it right 90% of the time? Reliability diagrams, ECE, and fixing confidence after training.',
    steps: [
      {
        title: 'Confidence against accuracy',
        text: [
          'A calibrated model that says 90% is right on 90% of such pictures. The expected calibration error (ECE) averages the gap between confidence and accuracy over bins of confidence: 0 is perfect.',
          'This run holds 10% of the training images out of training, to fit a temperature on them afterwards.',
        ],
        settings: { query: `${FROM_READY}&${KD}&epochs=4&subset=1600&holdout=1&testSubset=1017&${SGD}`, train: true },
        panel: 'reliability-title',
      },
      {
        title: 'Which student is better calibrated?',
        text: ['The reliability diagram plots accuracy against confidence per bin; bars below the diagonal are overconfident. The results table lists each model\u2019s ECE.'],
        panel: 'reliability-title',
        question: {
          id: 'ece-student-vs-scratch',
          prompt: 'In your run, which student is better calibrated (lower ECE on the test images)?',
          choices: [
            { id: 'student', label: 'The distilled student' },
            { id: 'scratch', label: 'The scratch student' },
            { id: 'unclear', label: 'Cannot tell: the difference is within the noise' },
          ],
          judge: 'student-vs-scratch-ece',
          method: 'kd',
          rule: 'The ECE difference (15 bins) with its 95% paired bootstrap interval over the test images: "cannot tell" when the interval holds 0.',
        },
      },
      {
        title: 'Temperature scaling',
        text: [
          'Temperature scaling divides a trained model\u2019s logits by one number T, fitted on held-out images to minimise their negative log-likelihood. It never changes the predicted class, only the confidence: T above 1 softens an overconfident model, T below 1 sharpens an underconfident one.',
          'In the calibration panel, pick the scratch student and tick \u201cTemperature-scaled\u201d: the fitted T and the ECE after scaling appear.',
        ],
        panel: 'reliability-title',
        question: {
          id: 'scratch-confidence',
          prompt: 'Temperature scaling fitted on the held-out images: was your scratch student over- or underconfident?',
          choices: [
            { id: 'overconfident', label: 'Overconfident (the fitted T is above 1)' },
            { id: 'underconfident', label: 'Underconfident (the fitted T is below 1)' },
          ],
          judge: 'scratch-confidence',
          method: 'kd',
          rule: 'The temperature minimising the scratch student\u2019s NLL on the held-out images: above 1 means overconfident.',
        },
      },
    ],
  },
  {
    id: 'explainable-oracle',
    title: 'The explainable oracle: relevance-reinforced inputs',
    summary: 'Feeding the teacher pictures reinforced by its own relevance map, and what that does to its answers and to the student.',
    steps: [
      {
        title: 'x*: the picture as the teacher sees it',
        text: [
          'Layer-wise relevance propagation (LRP) says how much each pixel pushed the teacher towards a class. The explainable oracle multiplies the input by (1 + \u03b3 \u00b7 relevance) for the true class and distils from the teacher\u2019s answers to that reinforced input x*: an \u201coracle\u201d teacher that knows where to look.',
          'This run distils a ResNet-8 from the ready ResNet-20 with \u03b3 = 0.2, T = 1.5, as the reference code does.',
        ],
        settings: { query: `${FROM_READY}&method=oracle&gamma=0.2&T=1.5&alpha=1&ceWeight=1&epochs=3&subset=1200&testSubset=1017&${SGD}`, train: true },
        panel: 'relevance-title',
      },
      {
        title: 'Relevance maps',
        text: ['The relevance panel shows test pictures, their relevance maps and x*. Move \u03b3: at 0, x* is the picture itself; larger \u03b3 brightens what the teacher found relevant.'],
        panel: 'relevance-title',
      },
      {
        title: 'Does the oracle help the student?',
        text: ['The oracle paper reports a student more accurate than one trained from scratch. Judge it from your own run.'],
        panel: 'results-title',
        question: studentVsScratch('oracle', 'oracle-distilled'),
      },
      {
        title: 'The teacher\u2019s answers, mapped',
        text: [
          't-SNE lays the teacher\u2019s answers for every test image out in two dimensions, one colour per true class; the silhouette (from \u22121 to 1) says how well the classes separate.',
          'In the t-SNE panel, set x* step \u03b3 to 0.2 and press Run t-SNE: it maps the answers to the plain pictures (\u03b3 = 0) and to x* side by side.',
        ],
        panel: 'tsne-title',
        question: {
          id: 'xstar-silhouette',
          prompt: 'Which map separates the classes better (higher silhouette)?',
          choices: [
            { id: 'reinforced', label: 'The teacher on x* (\u03b3 > 0)' },
            { id: 'plain', label: 'The teacher on the plain pictures (\u03b3 = 0)' },
            { id: 'same', label: 'About the same (within 0.02)' },
          ],
          judge: 'xstar-silhouette',
          method: 'oracle',
          rule: 'The two silhouettes the t-SNE panel computed for this run: "about the same" when they differ by under 0.02.',
        },
      },
    ],
  },
  {
    id: 'many-teachers',
    title: 'Many teachers: CA-MKD weighs them',
    summary: 'Two teachers, one strong and one weak: does confidence-aware multi-teacher distillation listen to the better one?',
    steps: [
      {
        title: 'A strong and a weak teacher',
        text: [
          'CA-MKD distils from several teachers at once and weighs each one, image by image, by how confident it is in the true class (its cross-entropy on the label): a teacher that is wrong about a picture counts less for it.',
          'This run gives it two ready ResNet-20s: Teacher 1 trained fully, Teacher 2 deliberately stopped early.',
        ],
        settings: {
          query: `dataset=cifar10-subset&teacher=resnet20&savedTeacher=${READY.resnet20},${READY.weakResnet20}&student=resnet8&method=camkd&teachers=2&beta=50&T=4&alpha=1&ceWeight=1&epochs=3&subset=1024&testSubset=1017&${SGD.replace('nesterov=0', 'nesterov=1')}`,
          train: true,
        },
        panel: 'results-title',
      },
      {
        title: 'The weights',
        text: ['\u201cInside the method\u201d shows each teacher\u2019s weight, averaged over each epoch\u2019s batches; they add up to 1.'],
        panel: 'method-title',
        question: {
          id: 'camkd-heavier',
          prompt: 'Over the last epoch of your run, which teacher did CA-MKD weigh more?',
          choices: [
            { id: 'teacher1', label: 'Teacher 1' },
            { id: 'teacher2', label: 'Teacher 2' },
            { id: 'equal', label: 'About equally (within 0.02)' },
          ],
          judge: 'camkd-heavier-teacher',
          method: 'camkd',
          rule: 'The last epoch\u2019s mean logit weight of each teacher: "about equally" when they differ by under 0.02.',
        },
      },
      {
        title: 'Did it pick the better one?',
        text: ['CA-MKD never sees the teachers\u2019 test accuracies: it weighs them by their confidence on the training labels. The results table has their test accuracies.'],
        panel: 'results-title',
        question: {
          id: 'camkd-favours-accurate',
          prompt: 'Is the teacher CA-MKD weighed more also the more accurate one on the test images?',
          choices: [
            { id: 'yes', label: 'Yes' },
            { id: 'no', label: 'No' },
          ],
          judge: 'camkd-favours-accurate',
          method: 'camkd',
          rule: 'The teacher with the larger last-epoch weight against the teacher with the higher test accuracy.',
        },
      },
    ],
  },
];

export function lessonById(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id);
}
