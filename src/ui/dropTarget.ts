/**
 * A drop target for files: `use:dropTarget={onDrop}` takes drags over the element (the browser would
 * otherwise open the dropped file itself), marks it `.dragging` while one is over it, and hands the drop's
 * DataTransfer to `onDrop`. The dataset, PyTorch and own-picture imports share it.
 */
import type { Action } from 'svelte/action';

export type DropHandler = (data: DataTransfer) => void;

export const dropTarget: Action<HTMLElement, DropHandler> = (node, onDrop) => {
  let handle = onDrop;
  const leave = () => node.classList.remove('dragging');
  const over = (event: DragEvent) => {
    event.preventDefault();
    node.classList.add('dragging');
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    leave();
    if (event.dataTransfer) handle(event.dataTransfer);
  };
  node.addEventListener('dragover', over);
  node.addEventListener('dragleave', leave);
  node.addEventListener('drop', drop);
  return {
    update: (next: DropHandler) => (handle = next),
    destroy: () => {
      node.removeEventListener('dragover', over);
      node.removeEventListener('dragleave', leave);
      node.removeEventListener('drop', drop);
    },
  };
};
