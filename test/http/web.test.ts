import t from 'tap';
import { startApp } from '../helpers/app.js';

t.test('the web page is served at /, and nothing outside public/ is', async (t) => {
  const { app } = await startApp(t, { API_KEYS: 'k' }, { dispatch: false });
  const page = await app.inject({ method: 'GET', url: '/' });
  t.equal(page.statusCode, 200, 'open even with API_KEYS (the page asks for the key)');
  t.match(page.headers['content-type'], /text\/html/);
  for (const url of ['/../package.json', '/%2e%2e/package.json', '/index.html/../../schema.sql', '/uploads/x']) {
    t.not((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }
});
