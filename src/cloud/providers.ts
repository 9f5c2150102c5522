/**
 * The export targets. The three OAuth providers take a user's access token; `s3` writes to
 * the server's own bucket with the S3_* credentials and takes no token.
 */
export const OAUTH_PROVIDERS = ['google_drive', 'dropbox', 'onedrive'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

export const EXPORT_PROVIDERS = [...OAUTH_PROVIDERS, 's3'] as const;
export type ExportProvider = (typeof EXPORT_PROVIDERS)[number];

export function isOAuthProvider(value: unknown): value is OAuthProvider {
  return typeof value === 'string' && (OAUTH_PROVIDERS as readonly string[]).includes(value);
}

export function isExportProvider(value: unknown): value is ExportProvider {
  return typeof value === 'string' && (EXPORT_PROVIDERS as readonly string[]).includes(value);
}

/** Names for messages ("Dropbox rejected the access token…"). */
export const PROVIDER_LABELS: Record<ExportProvider, string> = {
  google_drive: 'Google Drive',
  dropbox: 'Dropbox',
  onedrive: 'OneDrive',
  s3: 'S3',
};

/** The env variables holding each provider's OAuth app, for the CLOUD_NOT_CONFIGURED message. */
export const OAUTH_APP_VARS: Record<OAuthProvider, readonly [string, string]> = {
  google_drive: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
  dropbox: ['DROPBOX_APP_KEY', 'DROPBOX_APP_SECRET'],
  onedrive: ['ONEDRIVE_CLIENT_ID', 'ONEDRIVE_CLIENT_SECRET'],
};
