#pragma once
// The command line: `contactd [serve]`, `contactd migrate`, `contactd apikey ...`.

namespace contactd {

// Runs the command named by argv and returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace contactd
