// Types of what the layering tests read from eslint.config.js.
export declare const layers: { name: string; files: string[]; paths: string[]; node: boolean; packages: string[] }[];
declare const config: unknown;
export default config;
