/* backends/olock_fake.h's implementation on its own: see tests/impl/olock.c. */
#define OLOCK_FAKE_IMPLEMENTATION
#include "olock.h"
#include "olock_fake.h"
