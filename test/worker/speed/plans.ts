// What a request did with query plans after a warm-up from an empty plan cache: how many it found
// cached (hits) and how many it had to make (misses). The warm-up tests assert these.
import { forgetPlans, sharedCompilerCounts } from "../../../src/db/speed/shared-compiler";
import { type StartupQueries, warmUpQueryCompiler } from "../../../src/db/speed/warm-up";

export async function plansAfterWarmUp(
  startupQueries: StartupQueries[],
  request: () => Promise<unknown>,
): Promise<{ hits: number; misses: number }> {
  forgetPlans();
  await warmUpQueryCompiler(startupQueries);
  const before = sharedCompilerCounts();
  await request();
  const after = sharedCompilerCounts();
  return { hits: after.planHits - before.planHits, misses: after.planMisses - before.planMisses };
}
