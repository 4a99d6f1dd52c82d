// Once before the integration tests: build the app, so that the tests which start the real
// server do not race to build it in parallel.
import { buildIfStale } from "../../server/build";

export default function setup() {
  buildIfStale();
}
