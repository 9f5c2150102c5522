import t from 'tap';
import { parsePageSpec, resolvePages } from '../../src/schemas/pages.js';

t.test('page selections', async (t) => {
  t.equal(parsePageSpec(undefined), undefined);
  t.equal(parsePageSpec(' all '), undefined);
  t.same(resolvePages(parsePageSpec('1-3,7'), 10), [0, 1, 2, 6]);
  t.same(resolvePages(parsePageSpec('8-'), 10), [7, 8, 9]);
  t.same(resolvePages(parsePageSpec('-2'), 10), [0, 1]);
  t.same(resolvePages(parsePageSpec('3, 1-2, 2'), 10), [0, 1, 2], 'sorted, no duplicates');
  t.same(resolvePages(undefined, 3), [0, 1, 2]);
  for (const bad of ['0', '3-1', 'a', '1,,2', '1-2-3', '-', '1.5']) t.throws(() => parsePageSpec(bad), /pages: /, bad);
  t.throws(() => resolvePages(parsePageSpec('11'), 10), /page 11 does not exist \(the document has 10\)/);
  t.throws(() => resolvePages(parsePageSpec('5-12'), 10), /page 12 does not exist/);
});
