import t from 'tap';
import { ConfigError } from '../../src/config.js';
import { readCloudSettings, URL_DEFAULTS } from '../../src/cloud/settings.js';
import { TokenVault } from '../../src/cloud/token-vault.js';
import { exportFilename, folderSegments } from '../../src/cloud/names.js';

t.test('defaults are the real endpoints; each base URL and knob can be overridden', async (t) => {
  const d = readCloudSettings({});
  t.same(d.urls, URL_DEFAULTS);
  t.equal(d.chunkBytes, 10 * 1024 * 1024);
  t.equal(d.tokenTtlMs, 3_600_000);
  t.same(d.oauth, { google_drive: undefined, dropbox: undefined, onedrive: undefined });
  t.equal(d.s3, undefined);
  const s = readCloudSettings({ GOOGLE_API_BASE_URL: 'http://127.0.0.1:9/g/', CLOUD_CHUNK_KB: '320', DROPBOX_APP_KEY: 'k', DROPBOX_APP_SECRET: 's', S3_BUCKET: 'b', S3_FORCE_PATH_STYLE: '1' });
  t.equal(s.urls.GOOGLE_API_BASE_URL, 'http://127.0.0.1:9/g', 'trailing slash dropped');
  t.equal(s.chunkBytes, 320 * 1024);
  t.same(s.oauth.dropbox, { clientId: 'k', clientSecret: 's' });
  t.equal(s.oauth.google_drive, undefined, 'an app needs both id and secret');
  t.match(s.s3, { bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials: undefined });
});

t.test('bad values name the variable, the value and what is allowed', async (t) => {
  t.throws(() => readCloudSettings({ ONEDRIVE_GRAPH_BASE_URL: 'ftp://x' }), new ConfigError('ONEDRIVE_GRAPH_BASE_URL="ftp://x" is not valid: expected an http:// or https:// URL'));
  t.throws(() => readCloudSettings({ CLOUD_CHUNK_KB: '0' }), /CLOUD_CHUNK_KB="0" is not valid: expected an integer from 1 to 61440/);
  t.throws(() => readCloudSettings({ CLOUD_TOKEN_TTL_S: 'ten' }), /CLOUD_TOKEN_TTL_S="ten"/);
  t.throws(() => readCloudSettings({ S3_BUCKET: 'b', S3_ENDPOINT: 'localhost:9000' }), /S3_ENDPOINT/);
});

t.test('the token vault forgets on delete and after its TTL', async (t) => {
  const vault = new TokenVault(1000);
  vault.put('a', 'tok-a', 0);
  vault.put('b', 'tok-b', 500);
  t.equal(vault.get('a', 999), 'tok-a');
  t.equal(vault.get('a', 1000), undefined, 'expired');
  vault.put('c', 'tok-c', 1600); // sweeps b (expired at 1500)
  t.equal(vault.size, 1);
  vault.delete('c');
  t.equal(vault.get('c', 1601), undefined);
});

t.test('client folder and file names cannot climb out or smuggle separators', async (t) => {
  t.same(folderSegments('../../etc//./passwd\\..'), ['etc', 'passwd']);
  t.same(folderSegments(' Reports / 2024 '), ['Reports', '2024']);
  t.same(folderSegments(undefined), []);
  t.equal(folderSegments('a/'.repeat(50)).length, 16, 'depth capped');
  t.equal(exportFilename(undefined, 'report_compressed.pdf'), 'report_compressed.pdf');
  t.equal(exportFilename('../secret', 'x.pdf'), 'secret.pdf', 'path dropped, extension added');
  t.equal(exportFilename('a\u0000b<c>.PDF', 'x.pdf'), 'ab_c_.PDF');
  t.equal(exportFilename('..', 'x.pdf'), 'x.pdf');
});
