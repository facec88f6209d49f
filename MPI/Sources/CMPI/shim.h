// MPI's C API for Swift: Open MPI defines the predefined handles as macros over its
// internal symbols, which Swift cannot import; these functions return them.
#include <mpi.h>

static inline MPI_Comm pixelood_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype pixelood_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype pixelood_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype pixelood_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype pixelood_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op pixelood_mpi_sum(void) { return MPI_SUM; }
static inline void *pixelood_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Info pixelood_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline int pixelood_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
