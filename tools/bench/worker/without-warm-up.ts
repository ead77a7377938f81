// The bench Worker without the module-scope warm-up: the "before" of the cold-start figures.
import { benchApp } from "./app";

export default benchApp;
