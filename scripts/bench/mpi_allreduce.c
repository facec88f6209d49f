// MPI_Allreduce (float32, MPI_SUM, in place) of the gradient buffers of docs/scaling.md's plan:
// the RPL head on MobileNetV2, ResNet and WRN38 DeepLabV3+, and the whole WRN38 DeepLabV3+;
// best of 5 after a warm-up. Build and run (Open MPI):
//   mpicc -O2 scripts/bench/mpi_allreduce.c -o /tmp/mpi_allreduce
//   mpirun --allow-run-as-root --oversubscribe -np 2 /tmp/mpi_allreduce
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank; MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long sizes[] = {2861872, 15690544, 30894896, 137103936};
  for (int s = 0; s < 4; s++) {
    long n = sizes[s];
    float *buf = malloc(n * sizeof(float));
    for (long i = 0; i < n; i++) buf[i] = (float)(i % 7);
    MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double best = 1e9;
    for (int r = 0; r < 5; r++) {
      MPI_Barrier(MPI_COMM_WORLD);
      double t = MPI_Wtime();
      MPI_Allreduce(MPI_IN_PLACE, buf, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      t = MPI_Wtime() - t; if (t < best) best = t;
    }
    if (rank == 0) printf("%ld floats (%.1f MB): best %.1f ms\n", n, n * 4 / 1e6, best * 1e3);
    free(buf);
  }
  MPI_Finalize();
}
