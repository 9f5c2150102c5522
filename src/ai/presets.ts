/**
 * Ready-made JSON Schemas for POST /api/ai/extract `preset`. Every field is required but may
 * be null: the model must say "not in the document" explicitly instead of leaving a key out,
 * and every result has the same columns (which CSV and XLSX exports rely on).
 */
const str = { type: ['string', 'null'] };
const num = { type: ['number', 'null'] };
const date = { type: ['string', 'null'], description: 'YYYY-MM-DD' };

const party = (what: string) => ({
  type: ['object', 'null'],
  description: what,
  properties: { name: str, address: str, tax_id: { ...str, description: 'VAT / tax number' } },
  required: ['name', 'address', 'tax_id'],
});

export const INVOICE_SCHEMA = {
  type: 'object',
  properties: {
    invoice_number: str,
    invoice_date: date,
    due_date: date,
    vendor: party('who issued the invoice'),
    customer: party('who is billed'),
    currency: { ...str, description: 'ISO 4217 code, e.g. EUR' },
    line_items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { description: str, quantity: num, unit_price: num, amount: num },
        required: ['description', 'quantity', 'unit_price', 'amount'],
      },
    },
    subtotal: num,
    tax: num,
    total: num,
  },
  required: ['invoice_number', 'invoice_date', 'due_date', 'vendor', 'customer', 'currency', 'line_items', 'subtotal', 'tax', 'total'],
} as const;

export const BANK_STATEMENT_SCHEMA = {
  type: 'object',
  properties: {
    bank_name: str,
    account_holder: str,
    account_number: { ...str, description: 'account number or IBAN as printed' },
    currency: { ...str, description: 'ISO 4217 code, e.g. EUR' },
    period_start: date,
    period_end: date,
    opening_balance: num,
    closing_balance: num,
    transactions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          date,
          description: str,
          amount: { ...num, description: 'negative for money going out, positive for money coming in' },
          balance: { ...num, description: 'running balance after the transaction, if printed' },
        },
        required: ['date', 'description', 'amount', 'balance'],
      },
    },
  },
  required: ['bank_name', 'account_holder', 'account_number', 'currency', 'period_start', 'period_end', 'opening_balance', 'closing_balance', 'transactions'],
} as const;

export const PRESETS = { invoice: INVOICE_SCHEMA, bank_statement: BANK_STATEMENT_SCHEMA } as const;
export type PresetName = keyof typeof PRESETS;

/** What extract-text's analysis must look like. */
export const ANALYSIS_SCHEMA = {
  type: 'object',
  properties: {
    document_type: { type: 'string' },
    language: { type: 'string', description: 'ISO 639-1 code' },
    summary: { type: 'string' },
    key_points: { type: 'array', items: { type: 'string' }, maxItems: 20 },
    entities: {
      type: 'array',
      maxItems: 200,
      items: {
        type: 'object',
        properties: { text: { type: 'string' }, type: { enum: ['person', 'organization', 'location', 'date', 'money', 'other'] } },
        required: ['text', 'type'],
      },
    },
  },
  required: ['document_type', 'language', 'summary', 'key_points', 'entities'],
} as const;
