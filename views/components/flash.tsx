import { useView } from '../context.js';

export function FlashMessage() {
  const { flash } = useView();
  if (!flash) return null;
  return (
    <div class={`flash flash-${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'}>
      {flash.text}
    </div>
  );
}
