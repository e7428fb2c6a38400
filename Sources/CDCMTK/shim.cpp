#include "CDCMTK.h"
