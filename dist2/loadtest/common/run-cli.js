import { UsageError } from '../common/options.js';
import { createSay } from './say.js';
/**
 * The shared command-line shell of the benchmarks: parse, --help, run,
 * and the exit status (0 PASS, 1 FAIL or a run that could not finish,
 * 2 a usage error).
 */
export async function runBenchCli(name, parse, help, run) {
    const say = createSay();
    let options;
    try {
        options = parse(process.argv.slice(2));
    }
    catch (error) {
        if (!(error instanceof UsageError))
            throw error;
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(2);
    }
    if (options === 'help') {
        process.stdout.write(help());
        return;
    }
    try {
        const result = await run(options);
        process.exit(result.pass ? 0 : 1);
    }
    catch (error) {
        say(`FAIL: the run could not finish: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
    }
}
//# sourceMappingURL=run-cli.js.map