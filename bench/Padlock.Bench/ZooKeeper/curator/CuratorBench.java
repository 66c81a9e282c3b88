// Curator's recipes under the same load as Padlock's bench suite `zk-curator`: compiled and run by
// CuratorSide.cs against Debian's jars (/usr/share/java). One JVM per round; each worker is a thread with its own
// CuratorFramework (its own ZooKeeper session, as separate machines would have).
//   java CuratorBench CONNECT MODE WORKERS PERMITS HOLD_MS WARMUP_S DURATION_S READ_SHARE PATH
// MODE: semaphore (InterProcessSemaphoreV2), mutex (InterProcessMutex), rw (InterProcessReadWriteLock).
// Prints one line: RESULT key=value ... (waits in ms).
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.ExponentialBackoffRetry;

public final class CuratorBench {
    interface Grant { void release() throws Exception; }
    interface Acquirer { Grant acquire(boolean write) throws Exception; }

    static volatile boolean recording;
    static volatile long deadline;
    static final AtomicInteger holders = new AtomicInteger();
    static final AtomicInteger maxHolders = new AtomicInteger();
    static final AtomicLong overlaps = new AtomicLong();
    static final Object gate = new Object();
    static int readers, writers;
    static long violations;

    // Same hold as Padlock's PreciseHold: sleep the whole milliseconds, then spin on the clock to the deadline, so
    // both sides hold alike (a pure spin of up to 16 threads would take the 2 cores from the server).
    static void hold(long holdNanos) throws InterruptedException {
        long end = System.nanoTime() + holdNanos;
        long whole = holdNanos / 1_000_000L;
        if (whole > 0) Thread.sleep(whole);
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    public static void main(String[] a) throws Exception {
        String connect = a[0], mode = a[1], path = a[8];
        int workers = Integer.parseInt(a[2]), permits = Integer.parseInt(a[3]);
        long holdNanos = (long) (Double.parseDouble(a[4]) * 1_000_000L);
        double warmup = Double.parseDouble(a[5]), duration = Double.parseDouble(a[6]), readShare = Double.parseDouble(a[7]);
        int allowed = mode.equals("semaphore") ? permits : 1;

        List<CuratorFramework> clients = new ArrayList<>();
        Acquirer[] acquirers = new Acquirer[workers];
        for (int w = 0; w < workers; w++) {
            CuratorFramework c = CuratorFrameworkFactory.newClient(connect, 30_000, 15_000, new ExponentialBackoffRetry(100, 3));
            c.start();
            c.blockUntilConnected();
            clients.add(c);
            switch (mode) {
                case "semaphore": {
                    InterProcessSemaphoreV2 s = new InterProcessSemaphoreV2(c, path, permits);
                    acquirers[w] = write -> { Lease l = s.acquire(); return l::close; };
                    break;
                }
                case "mutex": {
                    InterProcessMutex m = new InterProcessMutex(c, path);
                    acquirers[w] = write -> { m.acquire(); return m::release; };
                    break;
                }
                case "rw": {
                    InterProcessReadWriteLock rw = new InterProcessReadWriteLock(c, path);
                    acquirers[w] = write -> {
                        InterProcessMutex m = write ? rw.writeLock() : rw.readLock();
                        m.acquire();
                        return m::release;
                    };
                    break;
                }
                default: throw new IllegalArgumentException("mode must be semaphore, mutex or rw, not " + mode);
            }
        }

        List<List<Double>> waits = new ArrayList<>();
        List<List<Double>> holds = new ArrayList<>();
        long[] reads = new long[workers], writes = new long[workers];
        for (int w = 0; w < workers; w++) { waits.add(new ArrayList<>()); holds.add(new ArrayList<>()); }

        Thread[] threads = new Thread[workers];
        final long[] phaseEnd = new long[1];
        Runnable[] bodies = new Runnable[workers];
        for (int w = 0; w < workers; w++) {
            final int me = w;
            final Random random = new Random(1000 + w);
            bodies[w] = () -> {
                try {
                    while (System.nanoTime() < phaseEnd[0]) {
                        boolean write = mode.equals("rw") && random.nextDouble() >= readShare;
                        long start = System.nanoTime();
                        Grant g = acquirers[me].acquire(write);
                        long granted = System.nanoTime();
                        boolean rec = recording;
                        if (mode.equals("rw")) {
                            synchronized (gate) {
                                if (write ? (readers > 0 || writers > 0) : writers > 0) violations++;
                                if (write) writers++; else readers++;
                            }
                        } else {
                            int now = holders.incrementAndGet();
                            if (now > allowed) overlaps.incrementAndGet();
                            maxHolders.accumulateAndGet(now, Math::max);
                        }
                        hold(holdNanos);
                        long held = System.nanoTime() - granted;
                        // Counted out before the release reaches the store, so a successor is never counted with us.
                        if (mode.equals("rw")) {
                            synchronized (gate) { if (write) writers--; else readers--; }
                        } else {
                            holders.decrementAndGet();
                        }
                        g.release();
                        if (rec) {
                            waits.get(me).add((granted - start) / 1e6);
                            holds.get(me).add(held / 1e6);
                            if (write) writes[me]++; else reads[me]++;
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            };
        }

        // Warm-up (JIT, sessions, parent nodes), then the measured phase.
        for (int phase = 0; phase < 2; phase++) {
            recording = phase == 1;
            if (recording) { overlaps.set(0); maxHolders.set(0); synchronized (gate) { violations = 0; } }
            phaseEnd[0] = System.nanoTime() + (long) ((phase == 0 ? warmup : duration) * 1e9);
            long started = System.nanoTime();
            for (int w = 0; w < workers; w++) { threads[w] = new Thread(bodies[w]); threads[w].start(); }
            for (Thread t : threads) t.join();
            if (phase == 1) {
                double elapsed = (System.nanoTime() - started) / 1e9;
                report(mode, workers, elapsed, waits, holds, reads, writes);
            }
        }
        for (CuratorFramework c : clients) c.close();
    }

    static void report(String mode, int workers, double elapsed, List<List<Double>> waits, List<List<Double>> holds,
                       long[] reads, long[] writes) {
        double[] all = waits.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).sorted().toArray();
        double meanHold = holds.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        long[] per = new long[workers];
        double sum = 0, squares = 0;
        for (int w = 0; w < workers; w++) { per[w] = waits.get(w).size(); sum += per[w]; squares += (double) per[w] * per[w]; }
        StringBuilder sb = new StringBuilder("RESULT");
        sb.append(" mode=").append(mode);
        sb.append(" ops=").append(all.length / elapsed);
        sb.append(" p50=").append(q(all, 0.50)).append(" p99=").append(q(all, 0.99));
        sb.append(" max=").append(all.length == 0 ? Double.NaN : all[all.length - 1]);
        sb.append(" jain=").append(squares == 0 ? Double.NaN : sum * sum / (workers * squares));
        sb.append(" maxHolders=").append(maxHolders.get()).append(" overlaps=").append(overlaps.get());
        sb.append(" violations=").append(violations);
        sb.append(" reads=").append(Arrays.stream(reads).sum()).append(" writes=").append(Arrays.stream(writes).sum());
        sb.append(" meanHold=").append(meanHold);
        sb.append(" perWorker=");
        for (int w = 0; w < workers; w++) sb.append(w == 0 ? "" : ",").append(per[w]);
        System.out.println(sb);
    }

    static double q(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }
}
