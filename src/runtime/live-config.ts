import { type FSWatcher, readFileSync, renameSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { type Document, isMap, parseDocument } from 'yaml';
import { ConfigError, isConfigError, type LoadedConfig, loadConfigText } from '../config/load.js';
import type { ConnectorDefinition } from '../connectors/sdk/contract.js';

/**
 * The configuration file is the one source of truth. The dashboard's edits are made to the file —
 * as YAML, keeping its comments and layout — validated exactly as a start-up would validate it, written
 * atomically, and applied without a restart; an edit made by hand in the file is picked up the same
 * way. A change that does not validate is refused with every problem, and what runs stays as it was.
 */
export class LiveConfig {
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private lastText: string;
  /** Problems of a hand edit that was refused (what runs is the last good version). */
  problems: string[] = [];

  constructor(
    private current: LoadedConfig,
    private readonly registry: Readonly<Record<string, ConnectorDefinition>>,
    private readonly apply: (next: LoadedConfig) => Promise<void>,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.lastText = safeRead(current.path);
  }

  get config(): LoadedConfig {
    return this.current;
  }

  /**
   * Edits the file's YAML document; the result must load cleanly, else ConfigError with the problems
   * (file positions name the edited text). Returns the configuration now running.
   */
  async edit(change: (doc: Document) => void): Promise<LoadedConfig> {
    const doc = parseDocument(safeRead(this.current.path), { prettyErrors: true });
    const shown = basename(this.current.path);
    // A hand edit that broke the file: what runs is the last good version, and no edit can be
    // merged into text that is not YAML; the person must mend the file first.
    if (doc.errors.length)
      throw new ConfigError(
        [
          `${shown} has been edited by hand and is not valid YAML, so this change cannot be written into it; mend the file first (the last good configuration keeps running)`,
          ...doc.errors.map(
            (e) =>
              `${shown}:${e.linePos?.[0] ? `${e.linePos[0].line}:${e.linePos[0].col}` : ''} ${e.message.split('\n')[0]}`,
          ),
        ],
        'config_file_invalid',
      );
    if (!isMap(doc.contents)) throw new ConfigError([`${shown}: not a YAML mapping`], 'config_file_invalid');
    change(doc);
    const text = doc.toString({ lineWidth: 0 });
    const next = this.validate(text);
    this.write(text);
    await this.use(next, text);
    return next;
  }

  /** Watches the file for hand edits (debounced: editors save in several steps). */
  watch(): void {
    try {
      this.watcher = watch(dirname(this.current.path), (_event, name) => {
        if (name !== basename(this.current.path)) return;
        clearTimeout(this.debounce);
        // Anything else than a ConfigError (the store refusing the new definitions) must not end the
        // process as an unhandled rejection: what runs stays the last good configuration.
        this.debounce = setTimeout(
          () =>
            void this.reloadFromFile().catch((e: unknown) =>
              this.logger.error(
                { err: e },
                'the edited configuration could not be applied; the previous one keeps running',
              ),
            ),
          250,
        );
      });
      this.watcher.unref();
    } catch (e) {
      this.logger.warn({ err: e }, 'the configuration file cannot be watched; edits need a restart');
    }
  }

  async reloadFromFile(): Promise<void> {
    const text = safeRead(this.current.path);
    if (text === this.lastText) return;
    try {
      await this.use(this.validate(text), text);
      this.problems = [];
      this.logger.info({ path: this.current.path }, 'configuration reloaded');
    } catch (e) {
      if (!isConfigError(e)) throw e;
      this.problems = e.issues;
      this.lastText = text;
      this.logger.error(
        { problems: e.issues },
        'the edited configuration is refused; the previous one keeps running',
      );
    }
  }

  stop(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
  }

  /** Loads the text as start-up would. */
  private validate(text: string): LoadedConfig {
    return loadConfigText(text, this.current.path, this.registry, this.env);
  }

  /** Atomic: a reader never sees half a file. */
  private write(text: string): void {
    const tmp = `${this.current.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.current.path);
  }

  private async use(next: LoadedConfig, text: string): Promise<void> {
    this.lastText = text;
    await this.apply(next);
    this.current = next;
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
