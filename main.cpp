#include "app/cli.h"

int main(int argc, char** argv) {
    return contactd::run_cli(argc, argv);
}
