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
}
