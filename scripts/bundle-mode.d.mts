/** The development markers found in the bundle's scripts under `rendererDir` (empty: production). */
export function developmentMarkers(rendererDir: string): string[];
