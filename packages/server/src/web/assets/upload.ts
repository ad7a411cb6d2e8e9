/**
 * The upload page's script, on top of a form that works without it: drop or pick files,
 * a queue with a progress bar, speed and time left per file and in total, cancel per
 * file, a size check before anything is sent. Each file is its own request (transport.ts),
 * so a cancelled one leaves nothing on the server; once all are done, the page's hidden
 * `upload-done` form shows the result (and mails the links once).
 */
import { wireCopyButtons } from './copy.js';
import { duration, RateMeter, size } from './rate.js';
import { sendFile, type SentFile } from './transport.js';

type State = 'waiting' | 'sending' | 'done' | 'failed' | 'cancelled';

interface Item {
  file: File;
  state: State;
  sent: number;
  li: HTMLLIElement;
  bar: HTMLProgressElement;
  stats: HTMLElement;
  button: HTMLButtonElement;
  rate: RateMeter;
  controller: AbortController;
  result?: SentFile[];
}

const form = document.getElementById('upload-form') as HTMLFormElement | null;
const strings = (document.getElementById('upload-strings') as HTMLTemplateElement | null)?.dataset ?? {};
wireCopyButtons(document);

if (form) enhance(form);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function enhance(form: HTMLFormElement): void {
  const max = Number(form.dataset.maxFileSize);
  const input = form.querySelector<HTMLInputElement>('input[type=file]')!;
  const zone = document.getElementById('dropzone')!;
  const area = document.getElementById('queue-area')!;
  const list = document.getElementById('queue')!;
  const total = document.getElementById('total')!;
  const totalBar = document.getElementById('total-progress') as HTMLProgressElement;
  const totalStats = document.getElementById('total-stats')!;
  const submit = document.getElementById('upload-submit') as HTMLButtonElement;
  const items: Item[] = [];
  const totalRate = new RateMeter();
  let running = false;
  (form.elements.namedItem('js_enabled') as HTMLInputElement).value = '1';

  const add = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const li = el('li');
      const row = el('div', 'row');
      const name = el('span', 'name', `${file.name} (${size(file.size)})`);
      const button = el('button', 'secondary', strings.remove);
      button.type = 'button';
      row.append(name, button);
      const bar = el('progress');
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute('aria-label', file.name);
      const stats = el('p', 'stats', strings.waiting);
      li.append(row, bar, stats);
      list.append(li);
      const item: Item = {
        file,
        state: 'waiting',
        sent: 0,
        li,
        bar,
        stats,
        button,
        rate: new RateMeter(),
        controller: new AbortController(),
      };
      if (file.size > max) fail(item, strings.tooLarge ?? '');
      button.addEventListener('click', () => cancel(item));
      items.push(item);
    }
    area.hidden = items.length === 0;
    input.value = '';
  };

  const fail = (item: Item, text: string) => {
    item.state = 'failed';
    item.li.className = 'failed';
    item.stats.textContent = `${strings.failed}: ${text}`;
    item.button.textContent = strings.remove ?? '';
  };

  const cancel = (item: Item) => {
    if (item.state === 'sending') {
      item.controller.abort();
      item.state = 'cancelled';
      item.li.className = 'failed';
      item.stats.textContent = strings.cancelled ?? '';
      item.button.hidden = true;
      return;
    }
    if (item.state === 'done') return;
    items.splice(items.indexOf(item), 1);
    item.li.remove();
    area.hidden = items.length === 0;
  };

  const showTotal = () => {
    const live = items.filter((i) => i.state !== 'failed' && i.state !== 'cancelled');
    const all = live.reduce((n, i) => n + i.file.size, 0);
    const sent = live.reduce((n, i) => n + Math.min(i.sent, i.file.size), 0);
    totalRate.add(sent);
    const speed = totalRate.perSecond();
    totalBar.value = all > 0 ? (sent * 100) / all : 100;
    totalStats.textContent = `${size(sent)} / ${size(all)} · ${size(speed)}/s · ${duration(speed > 0 ? (all - sent) / speed : Infinity)}`;
  };

  input.addEventListener('change', () => input.files && add(input.files));
  for (const ev of ['dragenter', 'dragover'])
    zone.addEventListener(ev, (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
  for (const ev of ['dragleave', 'drop']) zone.addEventListener(ev, () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer?.files) add(e.dataTransfer.files);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (running) return;
    const todo = items.filter((i) => i.state === 'waiting');
    if (todo.length === 0) {
      const sent = items.flatMap((i) => i.result ?? []);
      if (sent.length > 0) finish(form, sent);
      else alertText(zone, strings.noFiles ?? '');
      return;
    }
    running = true;
    submit.disabled = true;
    total.hidden = false;
    // Recipients are mailed once for all files, by the result step; the rest goes with each file.
    const fields = [...new FormData(form)].filter(
      (p): p is [string, string] => typeof p[1] === 'string' && !['recpemail', 'message'].includes(p[0]),
    );
    for (const item of todo) {
      if (item.state !== 'waiting') continue;
      item.state = 'sending';
      item.button.textContent = strings.cancel ?? '';
      try {
        const r = await sendFile(item.file, {
          url: form.action,
          fields,
          signal: item.controller.signal,
          onProgress: (sent, all) => {
            item.sent = Math.min(sent, item.file.size);
            item.rate.add(sent);
            const speed = item.rate.perSecond();
            item.bar.value = all > 0 ? (sent * 100) / all : 0;
            item.stats.textContent = `${size(item.sent)} / ${size(item.file.size)} · ${size(speed)}/s · ${duration(speed > 0 ? (all - sent) / speed : Infinity)}`;
            showTotal();
          },
        });
        if (!r.ok) fail(item, r.reason ?? '');
        else {
          item.state = 'done';
          item.result = r.files;
          item.li.className = 'done';
          item.bar.value = 100;
          item.stats.textContent = strings.done ?? '';
          item.button.hidden = true;
        }
      } catch (err) {
        if (item.state === 'sending') fail(item, (err as Error).message);
      }
      showTotal();
    }
    running = false;
    submit.disabled = false;
    const sent = items.flatMap((i) => i.result ?? []);
    // With a failure left to read, the person presses Upload again to go on.
    if (sent.length > 0 && items.every((i) => i.state === 'done' || i.state === 'cancelled')) finish(form, sent);
  });
}

function alertText(where: HTMLElement, text: string): void {
  let p = where.querySelector<HTMLElement>('.field-error');
  if (!p) {
    p = el('p', 'field-error');
    p.setAttribute('role', 'alert');
    where.append(p);
  }
  p.textContent = text;
}

/** Posts the hidden result form: the files by their delete links' id and key, and who to mail. */
function finish(form: HTMLFormElement, files: SentFile[]): void {
  const done = document.getElementById('upload-done') as HTMLFormElement;
  const add = (name: string, value: string) => {
    const i = document.createElement('input');
    i.type = 'hidden';
    i.name = name;
    i.value = value;
    done.append(i);
  };
  for (const f of files) add('f', new URL(f.deleteUrl).pathname.split('/').slice(2, 4).join('/'));
  for (const name of ['recpemail', 'message', 'ownemail']) {
    const v = form.elements.namedItem(name) as HTMLInputElement | null;
    if (v?.value) add(name, v.value);
  }
  done.submit();
}
