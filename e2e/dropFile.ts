/**
 * Drops a file on a page element as a person dragging it from their desktop does: a dragover (the target
 * marks itself `.dragging`, and takes the drag instead of letting the browser open the file), then the drop
 * (the mark goes). Playwright's setInputFiles covers picking; this covers dropping.
 */
import { expect, type Locator } from '@playwright/test';

export interface DroppedFile {
  readonly name: string;
  readonly mimeType: string;
  readonly buffer: Buffer;
}

export async function dropFile(target: Locator, { name, mimeType, buffer }: DroppedFile): Promise<void> {
  const marks = await target.evaluate(
    (element, file) => {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], file.name, { type: file.mimeType }));
      const over = new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true });
      element.dispatchEvent(over);
      const whileOver = { marked: element.classList.contains('dragging'), taken: over.defaultPrevented };
      element.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      return { ...whileOver, markedAfter: element.classList.contains('dragging') };
    },
    { name, mimeType, base64: buffer.toString('base64') },
  );
  expect(marks, `dropping ${name}`).toEqual({ marked: true, taken: true, markedAfter: false });
}
