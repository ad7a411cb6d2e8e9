/**
 * The upload page's script, on top of a form that works without it: drop or pick files,
 * a queue with a progress bar, speed and time left per file and in total, cancel per
 * file, a size check before anything is sent. Each file is its own resumable upload
 * (transport.ts): it survives a dropped connection, and after a reload the same file
 * picked again continues; a cancelled one is removed from the server. Once all are done,
 * the page's hidden `upload-done` form shows the result (and mails the links once).
 */
import { wireCopyButtons } from './copy.js';
import { duration, RateMeter, size } from './rate.js';
import { hasEarlierUpload, sendFile, type SentFile, type Sending } from './transport.js';

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
  sending?: Sending;
  result?: SentFile;
  /** Said once an earlier upload of the file is continued. */
  resumedText?: string;
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
  const account = value(form, 'userid') || 'anonymous';
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
      };
      if (file.size > max) fail(item, strings.tooLarge ?? '');
      else
        void hasEarlierUpload(file, account).then((earlier) => {
          if (earlier && item.state === 'waiting') stats.textContent = strings.earlier ?? '';
        });
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
      item.state = 'cancelled';
      item.li.className = 'failed';
      item.stats.textContent = strings.cancelled ?? '';
      item.button.hidden = true;
      void item.sending?.cancel();
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

  /**
   * Sends one file until it lands, fails or is cancelled. Offline, tus-js-client gives up
   * at once (it retries only while navigator.onLine); the page then waits for the line to
   * come back and goes on from the server's offset, as after a closed laptop lid.
   */
  const send = async (item: Item, metadata: Record<string, string>) => {
    const onProgress = (sent: number, all: number) => {
      item.sent = Math.min(sent, item.file.size);
      item.rate.add(sent);
      const speed = item.rate.perSecond();
      item.bar.value = all > 0 ? (sent * 100) / all : 0;
      item.stats.textContent = `${size(item.sent)} / ${size(item.file.size)} · ${size(speed)}/s · ${duration(speed > 0 ? (all - sent) / speed : Infinity)}`;
      if (item.resumedText) item.stats.textContent += ` · ${item.resumedText}`;
      showTotal();
    };
    for (;;) {
      item.sending = sendFile(item.file, {
        endpoint: new URL(form.dataset.tus ?? '/tus/', location.href).href,
        metadata: { ...metadata, filename: item.file.name },
        account,
        onProgress,
        onResume: (offset) => {
          item.resumedText = (strings.resumed ?? '').replace('{sent}', size(offset));
          onProgress(offset, item.file.size);
        },
      });
      try {
        item.result = await item.sending.done;
        item.state = 'done';
        item.li.className = 'done';
        item.bar.value = 100;
        item.stats.textContent = item.resumedText ? `${strings.done} · ${item.resumedText}` : (strings.done ?? '');
        item.button.hidden = true;
        return;
      } catch (err) {
        if (item.state !== 'sending') return; // cancelled
        if (navigator.onLine) return fail(item, (err as Error).message || (strings.network ?? ''));
        item.stats.textContent = strings.offline ?? '';
        while (!navigator.onLine && item.state === 'sending') await new Promise((r) => setTimeout(r, 500));
        if (item.state !== 'sending') return;
      }
    }
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
    // A file that failed (the line was down longer than the retries wait) goes again, and
    // continues where it stopped.
    for (const i of items)
      if (i.state === 'failed' && i.file.size <= max) {
        i.state = 'waiting';
        i.li.className = '';
      }
    const todo = items.filter((i) => i.state === 'waiting');
    if (todo.length === 0) {
      const sent = items.flatMap((i) => i.result ?? []);
      if (sent.length > 0) finish(form, sent);
      else alertText(zone, strings.noFiles ?? '');
      return;
    }
    const recipients = form.elements.namedItem('recpemail') as HTMLInputElement;
    if (!recipientsLookValid(recipients.value)) {
      alertText(recipients.parentElement!, strings.badRecipients ?? '');
      recipients.focus();
      return;
    }
    running = true;
    submit.disabled = true;
    total.hidden = false;
    const metadata = metadataOf(form, account === 'anonymous');
    for (const item of todo) {
      if (item.state !== 'waiting') continue;
      item.state = 'sending';
      item.button.textContent = strings.cancel ?? '';
      await send(item, metadata);
      showTotal();
    }
    running = false;
    submit.disabled = false;
    const sent = items.flatMap((i) => i.result ?? []);
    // With a failure left to read, the person presses Upload again to go on (and retry it).
    if (sent.length > 0 && items.every((i) => i.state === 'done' || i.state === 'cancelled')) finish(form, sent);
  });
}

function value(form: HTMLFormElement, name: string): string {
  const input = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  return input?.value ?? '';
}

/**
 * The form's options as tus Upload-Metadata (docs/tus.md), empty ones left out. The
 * recipients are not among them: the result step mails them once for all the files.
 * Without a session the page's ticket authorises the upload; with one, the cookie does.
 */
function metadataOf(form: HTMLFormElement, anonymous: boolean): Record<string, string> {
  const meta: Record<string, string> = {};
  const put = (key: string, v: string) => {
    if (v.trim() !== '') meta[key] = v;
  };
  put('description', value(form, 'description[]'));
  put('password', value(form, 'password'));
  put('time_limit', value(form, 'time_limit'));
  put('download_limit', value(form, 'download_limit'));
  if (meta.download_limit) put('limit_action', value(form, 'limit_action'));
  put('folder_id', value(form, 'folder_id'));
  if (anonymous) {
    put('ticket', value(form, 'signature'));
    put('notify_uploader', value(form, 'ownemail'));
  }
  return meta;
}

/** A loose check before anything is sent; the server skips addresses that are not valid. */
function recipientsLookValid(text: string): boolean {
  return text
    .split(/[,;\s]+/)
    .filter(Boolean)
    .every((a) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a));
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

/** Posts the hidden result form: the files by their tus upload ids, and who to mail. */
function finish(form: HTMLFormElement, files: SentFile[]): void {
  const done = document.getElementById('upload-done') as HTMLFormElement;
  const add = (name: string, value: string) => {
    const i = document.createElement('input');
    i.type = 'hidden';
    i.name = name;
    i.value = value;
    done.append(i);
  };
  for (const f of files) add('u', f.uploadId);
  for (const name of ['recpemail', 'message', 'ownemail']) {
    const v = form.elements.namedItem(name) as HTMLInputElement | null;
    if (v?.value) add(name, v.value);
  }
  done.submit();
}
