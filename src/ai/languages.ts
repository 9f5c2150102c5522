/**
 * ISO 639-1: every two-letter language code and its English name (the name goes into the
 * translation prompt, where "Norwegian Bokmål" reads better to a model than "nb").
 */
const ISO_639_1 =
  'aa:Afar ab:Abkhazian ae:Avestan af:Afrikaans ak:Akan am:Amharic an:Aragonese ar:Arabic as:Assamese av:Avaric ' +
  'ay:Aymara az:Azerbaijani ba:Bashkir be:Belarusian bg:Bulgarian bi:Bislama bm:Bambara bn:Bengali bo:Tibetan ' +
  'br:Breton bs:Bosnian ca:Catalan ce:Chechen ch:Chamorro co:Corsican cr:Cree cs:Czech cu:Church_Slavic cv:Chuvash ' +
  'cy:Welsh da:Danish de:German dv:Divehi dz:Dzongkha ee:Ewe el:Greek en:English eo:Esperanto es:Spanish ' +
  'et:Estonian eu:Basque fa:Persian ff:Fulah fi:Finnish fj:Fijian fo:Faroese fr:French fy:Western_Frisian ga:Irish ' +
  'gd:Scottish_Gaelic gl:Galician gn:Guarani gu:Gujarati gv:Manx ha:Hausa he:Hebrew hi:Hindi ho:Hiri_Motu ' +
  'hr:Croatian ht:Haitian_Creole hu:Hungarian hy:Armenian hz:Herero ia:Interlingua id:Indonesian ie:Interlingue ' +
  'ig:Igbo ii:Sichuan_Yi ik:Inupiaq io:Ido is:Icelandic it:Italian iu:Inuktitut ja:Japanese jv:Javanese ' +
  'ka:Georgian kg:Kongo ki:Kikuyu kj:Kuanyama kk:Kazakh kl:Kalaallisut km:Khmer kn:Kannada ko:Korean kr:Kanuri ' +
  'ks:Kashmiri ku:Kurdish kv:Komi kw:Cornish ky:Kyrgyz la:Latin lb:Luxembourgish lg:Ganda li:Limburgish ' +
  'ln:Lingala lo:Lao lt:Lithuanian lu:Luba-Katanga lv:Latvian mg:Malagasy mh:Marshallese mi:Maori mk:Macedonian ' +
  'ml:Malayalam mn:Mongolian mr:Marathi ms:Malay mt:Maltese my:Burmese na:Nauru nb:Norwegian_Bokmål ' +
  'nd:North_Ndebele ne:Nepali ng:Ndonga nl:Dutch nn:Norwegian_Nynorsk no:Norwegian nr:South_Ndebele nv:Navajo ' +
  'ny:Chichewa oc:Occitan oj:Ojibwa om:Oromo or:Odia os:Ossetian pa:Punjabi pi:Pali pl:Polish ps:Pashto ' +
  'pt:Portuguese qu:Quechua rm:Romansh rn:Rundi ro:Romanian ru:Russian rw:Kinyarwanda sa:Sanskrit sc:Sardinian ' +
  'sd:Sindhi se:Northern_Sami sg:Sango si:Sinhala sk:Slovak sl:Slovenian sm:Samoan sn:Shona so:Somali ' +
  'sq:Albanian sr:Serbian ss:Swati st:Southern_Sotho su:Sundanese sv:Swedish sw:Swahili ta:Tamil te:Telugu ' +
  'tg:Tajik th:Thai ti:Tigrinya tk:Turkmen tl:Tagalog tn:Tswana to:Tonga tr:Turkish ts:Tsonga tt:Tatar tw:Twi ' +
  'ty:Tahitian ug:Uyghur uk:Ukrainian ur:Urdu uz:Uzbek ve:Venda vi:Vietnamese vo:Volapük wa:Walloon wo:Wolof ' +
  'xh:Xhosa yi:Yiddish yo:Yoruba za:Zhuang zh:Chinese zu:Zulu';

export const LANGUAGES: ReadonlyMap<string, string> = new Map(
  ISO_639_1.split(' ').map((pair) => {
    const [code, name] = pair.split(':') as [string, string];
    return [code, name.replace(/_/g, ' ')];
  }),
);

export interface Language {
  /** As normalised: "fr", or with a region "pt-BR". */
  code: string;
  /** "French", "Portuguese (BR)". */
  name: string;
}

/**
 * A client's language code → the normalised code and its name, or undefined. Accepts an
 * ISO 639-1 code in any case, optionally with a region or script subtag ("pt-BR", "zh_TW",
 * "zh-Hant"), which is kept and passed on to the model.
 */
export function parseLanguage(value: unknown): Language | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([a-z]{2})(?:[-_]([a-z]{2}|[a-z]{4}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const base = m[1]!.toLowerCase();
  const name = LANGUAGES.get(base);
  if (!name) return undefined;
  if (!m[2]) return { code: base, name };
  const sub = m[2].length === 2 ? m[2].toUpperCase() : m[2][0]!.toUpperCase() + m[2].slice(1).toLowerCase();
  return { code: `${base}-${sub}`, name: `${name} (${sub})` };
}
