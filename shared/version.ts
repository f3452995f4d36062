/** The app version; kept equal to package.json's by a test. */
export const appVersion = '0.1.0';
