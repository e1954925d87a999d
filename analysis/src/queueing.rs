//! Analytic queueing results used as test oracles.
//!
//! The M/M/c formulas follow Kleinrock, *Queueing Systems* vol. 1 (1975), section 3.5, and Gross
//! et al., *Fundamentals of Queueing Theory* (4th ed., 2008), section 2.3. Erlang B is computed by
//! its stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), so that 400 servers at 95 %
//! load give full precision without factorials.

/// An M/M/c queue: Poisson arrivals, exponential service, `servers` identical servers, FIFO,
/// unlimited waiting room.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MMc {
    /// Arrival rate λ, per unit time (e.g. admissions per day).
    pub arrival_rate: f64,
    /// Mean service time 1/μ, in the same unit of time (e.g. mean length of stay in days).
    pub mean_service_time: f64,
    /// Number of servers c (e.g. beds).
    pub servers: u32,
}

impl MMc {
    /// Offered load a = λ/μ, in erlangs (mean number of busy servers).
    pub fn offered_load(&self) -> f64 {
        self.arrival_rate * self.mean_service_time
    }

    /// Utilisation ρ = a / c: the time-average share of busy servers. Stable only below 1.
    pub fn utilisation(&self) -> f64 {
        self.offered_load() / f64::from(self.servers)
    }

    /// Whether the queue has a steady state (ρ < 1).
    pub fn is_stable(&self) -> bool {
        self.utilisation() < 1.0
    }

    /// Erlang B: the blocking probability of the loss system M/M/c/c with the same load.
    pub fn erlang_b(&self) -> f64 {
        erlang_b(self.offered_load(), self.servers)
    }

    /// Erlang C: the probability that an arrival has to wait, P(W_q > 0).
    ///
    /// Returns `None` when the queue is unstable.
    pub fn prob_wait(&self) -> Option<f64> {
        if !self.is_stable() {
            return None;
        }
        let b = self.erlang_b();
        let rho = self.utilisation();
        Some(b / (1.0 - rho * (1.0 - b)))
    }

    /// Mean wait in queue W_q = C(c, a) / (cμ − λ), in the unit of time of the inputs.
    pub fn mean_wait(&self) -> Option<f64> {
        let c = self.prob_wait()?;
        let mu = 1.0 / self.mean_service_time;
        Some(c / (f64::from(self.servers) * mu - self.arrival_rate))
    }

    /// Mean number waiting L_q = λ W_q (Little's law).
    pub fn mean_queue_length(&self) -> Option<f64> {
        Some(self.arrival_rate * self.mean_wait()?)
    }

    /// P(W_q > t) = C(c, a) · exp(−(cμ − λ) t).
    pub fn prob_wait_longer_than(&self, t: f64) -> Option<f64> {
        let c = self.prob_wait()?;
        let mu = 1.0 / self.mean_service_time;
        Some(c * (-(f64::from(self.servers) * mu - self.arrival_rate) * t).exp())
    }
}

/// Erlang B blocking probability for offered load `a` (erlangs) and `c` servers.
pub fn erlang_b(a: f64, c: u32) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// An elective waiting list in discrete time: `bookings_per_day` Poisson bookings a day join the
/// list, then the theatre operates up to `capacity_per_day` cases, first come first served. The
/// list at the end of day t follows Q(t+1) = max(Q(t) + A(t) − S, 0), a Markov chain (a discrete
/// Lindley recursion; Bhat, *An Introduction to Queueing Theory*, 2nd ed., 2015, ch. 9 on
/// discrete-time queues). Its stationary law is computed by iterating the law of Q from an empty
/// list until it stops changing, on states 0 … N with N large enough that the top states hold
/// no mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyList {
    /// Mean bookings a day λ (Poisson).
    pub bookings_per_day: f64,
    /// Cases operated a day S.
    pub capacity_per_day: u32,
}

impl DailyList {
    /// Utilisation λ / S; the list has a steady state only below 1.
    pub fn utilisation(&self) -> f64 {
        self.bookings_per_day / f64::from(self.capacity_per_day)
    }

    /// The stationary law of the end-of-day list, P(Q = k) for k = 0 … N; `None` when the list
    /// is unstable (λ ≥ S) or its law does not settle.
    pub fn stationary(&self) -> Option<Vec<f64>> {
        let (lambda, s) = (self.bookings_per_day, self.capacity_per_day as usize);
        if !(lambda > 0.0 && self.utilisation() < 1.0) {
            return None;
        }
        // Poisson probabilities a(k) up to where the tail is below 1e-16 of the mass.
        let mut a = vec![(-lambda).exp()];
        let mut k = 0.0;
        while (k < lambda || *a.last().expect("non-empty") > 1e-18) && a.len() < 100_000 {
            k += 1.0;
            let next = a.last().expect("non-empty") * lambda / k;
            a.push(next);
        }
        // States: a list beyond ~60 standard deviations of a day's drift over its relaxation is
        // unreachable in practice; grow N until the top tenth of states holds < 1e-14.
        let mut n = (40.0 * (lambda.sqrt() + 1.0) / (1.0 - self.utilisation())).ceil() as usize + s;
        loop {
            let pi = Self::iterate(&a, s, n)?;
            let top: f64 = pi[n - n / 10..].iter().sum();
            if top < 1e-14 {
                return Some(pi);
            }
            if n > 2_000_000 {
                return None;
            }
            n *= 2;
        }
    }

    /// Iterates the law of Q on states 0 … n − 1 (overflow held in the last state) from Q = 0
    /// until the L1 change in a step is below 1e-15.
    fn iterate(a: &[f64], s: usize, n: usize) -> Option<Vec<f64>> {
        let mut pi = vec![0.0; n];
        pi[0] = 1.0;
        let mut next = vec![0.0; n];
        for _ in 0..10_000_000 {
            next.iter_mut().for_each(|x| *x = 0.0);
            for (i, &p) in pi.iter().enumerate() {
                if p < 1e-300 {
                    continue;
                }
                for (k, &ak) in a.iter().enumerate() {
                    let j = (i + k).saturating_sub(s).min(n - 1);
                    next[j] += p * ak;
                }
            }
            let total: f64 = next.iter().sum();
            next.iter_mut().for_each(|x| *x /= total);
            let change: f64 = pi.iter().zip(&next).map(|(x, y)| (x - y).abs()).sum();
            std::mem::swap(&mut pi, &mut next);
            if change < 1e-15 {
                return Some(pi);
            }
        }
        None
    }

    /// Mean list at the end of a day, E[Q].
    pub fn mean_list(&self) -> Option<f64> {
        Some(self.stationary()?.iter().enumerate().map(|(k, p)| k as f64 * p).sum())
    }

    /// Mean wait from booking to operation, in days: a case booked on day t and operated on
    /// day t′ is on the list at t′ − t day ends, so by Little's law (counted at day ends)
    /// E[W] = E[Q] / λ.
    pub fn mean_wait_days(&self) -> Option<f64> {
        Some(self.mean_list()? / self.bookings_per_day)
    }
}

/// Jackson's traffic equations for an open network: the total arrival rate at each node,
/// λ = γ + Rᵀλ, from the external arrival rates `external` (γ) and the routing matrix `routing`
/// (R[i][j]: share of node i's departures that go on to node j; each row sums to at most 1).
/// Each node then behaves as an M/M/c queue at its λ (Jackson, *Operations Research* 5, 1957).
/// `None` when the system is singular (a closed loop with no way out).
pub fn jackson_arrival_rates(external: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
    let n = external.len();
    // Solve (I − Rᵀ) λ = γ by Gaussian elimination with partial pivoting.
    let mut m: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let mut row: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == j)) - routing[i][j]).collect();
            row.push(external[j]);
            row
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..n).map(|i| m[i][n] / m[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_server_reduces_to_mm1() {
        // M/M/1: P(wait) = ρ, W_q = ρ / (μ − λ).
        let q = MMc { arrival_rate: 0.8, mean_service_time: 1.0, servers: 1 };
        assert!((q.prob_wait().unwrap() - 0.8).abs() < 1e-12);
        assert!((q.mean_wait().unwrap() - 0.8 / 0.2).abs() < 1e-12);
    }

    #[test]
    fn two_servers_match_closed_form() {
        // M/M/2 with a = 1.5: C = a² / (2 + a) / (1 + a + a²/(2 + a)) · ... ; closed form
        // P0 = (1 − ρ)/(1 + ρ) with ρ = 0.75, C = 2ρ²/(1 + ρ) = 0.642857...
        let q = MMc { arrival_rate: 1.5, mean_service_time: 1.0, servers: 2 };
        assert!((q.prob_wait().unwrap() - 2.0 * 0.75 * 0.75 / 1.75).abs() < 1e-12);
    }

    #[test]
    fn large_systems_are_finite_and_ordered() {
        let q = MMc { arrival_rate: 380.0 / 8.0, mean_service_time: 8.0, servers: 400 };
        let c = q.prob_wait().unwrap();
        assert!(c > 0.0 && c < 1.0, "C = {c}");
        assert!(q.mean_wait().unwrap() > 0.0);
        assert!(MMc { arrival_rate: 1.0, mean_service_time: 1.0, servers: 1 }.prob_wait().is_none());
    }
    #[test]
    fn a_daily_list_with_capacity_one_is_a_discrete_m_d_1_queue() {
        // S = 1: Q′ = Q + A − 1 + 1{Q + A = 0}. Taking expectations gives P(Q + A = 0) = 1 − ρ;
        // squaring, Q′² = (Q + A − 1)² − 1{Q + A = 0}, and taking expectations in steady state,
        // 2(1 − ρ) E[Q] = E[A²] − ρ = ρ² for Poisson A: E[Q] = ρ² / (2(1 − ρ)).
        let l = DailyList { bookings_per_day: 0.7, capacity_per_day: 1 };
        let expected = 0.49 / (2.0 * 0.3);
        assert!((l.mean_list().unwrap() - expected).abs() < 1e-9, "{:?}", l.mean_list());
        assert!((l.mean_wait_days().unwrap() - expected / 0.7).abs() < 1e-9);
    }

    #[test]
    fn a_daily_list_is_stable_only_below_capacity_and_grows_with_load() {
        assert!(DailyList { bookings_per_day: 10.0, capacity_per_day: 10 }.stationary().is_none());
        let w = |l: f64| DailyList { bookings_per_day: l, capacity_per_day: 10 }.mean_wait_days().unwrap();
        assert!(
            w(7.0) < w(8.0) && w(8.0) < w(9.0) && w(9.0) < w(9.5),
            "{} {} {} {}",
            w(7.0),
            w(8.0),
            w(9.0),
            w(9.5)
        );
        let pi = DailyList { bookings_per_day: 9.0, capacity_per_day: 10 }.stationary().unwrap();
        assert!((pi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn jackson_tandem_passes_a_share_on() {
        // Two nodes in tandem: 3 a day arrive at node 1, 40 % go on to node 2, which also has 1
        // a day of its own: λ1 = 3, λ2 = 1 + 0.4 × 3 = 2.2.
        let l = jackson_arrival_rates(&[3.0, 1.0], &[vec![0.0, 0.4], vec![0.0, 0.0]]).unwrap();
        assert!((l[0] - 3.0).abs() < 1e-12 && (l[1] - 2.2).abs() < 1e-12, "{l:?}");
        // A loop: node 2 sends half back to node 1: λ1 = 3 + 0.5 λ2, λ2 = 0.4 λ1 → λ1 = 3 / 0.8.
        let l = jackson_arrival_rates(&[3.0, 0.0], &[vec![0.0, 0.4], vec![0.5, 0.0]]).unwrap();
        assert!((l[0] - 3.75).abs() < 1e-12 && (l[1] - 1.5).abs() < 1e-12, "{l:?}");
        assert!(jackson_arrival_rates(&[1.0], &[vec![1.0]]).is_none(), "a closed loop has no solution");
    }
}
