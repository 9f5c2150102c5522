/**
 * Start-up: the API key form (shown when a request answers 401), then the server's
 * capabilities, which build the operation choices and their options.
 */
function setupKeyForm(): void {
  const section = byId('key-section');
  const form = byId<HTMLFormElement>('key-form');
  const input = byId<HTMLInputElement>('api-key');
  const message = byId('key-message');
  const status = byId('key-status');
  const forget = byId<HTMLButtonElement>('forget-key');

  const showStatus = () => {
    status.hidden = !storedKey();
  };
  onKeyNeeded((rejected) => {
    // Several requests may ask at once; a "rejected" message is not replaced by a plain one.
    if (!section.hidden && !rejected) return;
    message.textContent = rejected
      ? 'The server did not accept that API key. Check it and enter it again.'
      : 'This server needs an API key. Enter it to continue; what you were doing carries on once it is accepted.';
    input.setAttribute('aria-invalid', String(rejected));
    section.hidden = false;
    showStatus();
    input.focus();
    announce(message.textContent ?? '', true);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) {
      message.textContent = 'Enter the API key first.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.value = '';
    input.removeAttribute('aria-invalid');
    section.hidden = true;
    keyProvided(key);
    showStatus();
    announce('API key saved for this tab.');
    byId('job-form').querySelector<HTMLInputElement>('input[name=operation]:checked')?.focus();
  });
  forget.addEventListener('click', () => {
    forgetKey();
    showStatus();
    announce('API key forgotten.');
  });
  showStatus();
}

async function start(): Promise<void> {
  setupKeyForm();
  const jobForm = new JobForm();
  const loading = byId('caps-status');
  loading.textContent = 'Loading what this server can do…';
  const info = await loadServer();
  if (info.problem) {
    setContent(loading, h('span', {}, 'Could not load the server capabilities; compression is offered with its default options.'), renderProblem(info.problem));
  } else {
    loading.textContent = '';
    loading.hidden = true;
  }
  jobForm.setup(info);
  document.body.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', () => void start());
