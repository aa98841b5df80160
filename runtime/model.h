/* model.h — model families: parameter schema, fit and predict.
 * A fitted rt_model is owned by the caller (rt_model_free).  Training data
 * is only read.  Families are listed once in families.def / params.def. */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include "../util/util.h"

typedef enum {
#define X(e, fn, name, cls, reg, desc) RT_FAM_##e,
#include "families.def"
#undef X
    RT_FAM__COUNT
} rt_family;

typedef enum { RT_PARAM_NUM = 0, RT_PARAM_INT = 1, RT_PARAM_STR = 2 } rt_param_kind;

typedef struct {
    rt_family     family;
    const char   *name;
    rt_param_kind kind;
    double        def_num;
    const char   *def_str;
    double        min, max;
    const char   *choices;   /* "a|b|c" for RT_PARAM_STR */
    const char   *doc;
} rt_param_spec;

typedef struct {
    const char *name;
    int  classification, regression;
    const char *desc;
} rt_family_info;

extern const rt_family_info rt_families[RT_FAM__COUNT];
extern const rt_param_spec  rt_param_specs[];
extern const int            rt_nparam_specs;

int rt_family_lookup(const char *name);   /* case-insensitive; -1 if unknown */
/* Param specs of a family: returns count, *specs points into rt_param_specs. */
int rt_family_params(rt_family f, const rt_param_spec **specs);

/* 1 for the class-weight parameters (pos_weight / neg_weight): left out
 * of canonical JSON and model files while they hold their default 1. */
int rt_param_is_class_weight(const rt_param_spec *s);

/* A concrete parameter value: all params of the family, in params.def order,
 * defaults filled in by the compiler. */
typedef struct { double num; const char *str; } rt_pval;

typedef struct {
    const double *X;          /* n x p, row-major                        */
    int n, p;
    const double *y;          /* regression targets (n), or NULL          */
    const int    *yc;         /* classification: class codes in [0,k)    */
    int nclasses;             /* 0 for regression                         */
    unsigned long long seed;  /* for randomized families (forest, gbt)    */
} rt_trainset;

typedef struct rt_model rt_model;

/* The class weights a fit of family f asks for: w[0] for class 0 (neg_weight),
 * w[1] for class 1 (pos_weight).  Returns 1 when one differs from 1, 0 when
 * the family has none or both are 1 (w = {1, 1}), -1 with an MLG_MISUSE
 * error when they are set on a task with other than 2 classes. */
int rt_class_weights(rt_family f, const rt_pval *params, int nclasses, double w[2], ut_err *e);

/* What rt_fit checks of a training set for family f before fitting (rows,
 * finite features, class codes in range or finite targets). */
int  rt_check_trainset(rt_family f, const rt_trainset *ts, ut_err *e);
int  rt_fit(rt_family f, const rt_pval *params, const rt_trainset *ts,
            rt_model **out, ut_err *e);
/* rt_fit started from a neighbouring configuration's fitted model where the
 * family can use one (logreg: its coefficients start the solver); other
 * families, or from = NULL, fit as rt_fit does.  `from` is only read. */
int  rt_fit_from(rt_family f, const rt_pval *params, const rt_trainset *ts, const rt_model *from,
                 rt_model **out, ut_err *e);
/* rt_fit_from on a logreg C path: carry (NULL: none; rt_logreg_carry_new)
 * passes the previous fit's Hessian to the next. */
struct rt_logreg_carry;
int  rt_fit_path(rt_family f, const rt_pval *params, const rt_trainset *ts, const rt_model *from,
                 struct rt_logreg_carry *carry, rt_model **out, ut_err *e);
/* Fits configurations of family f that differ only in a shared parameter
 * together: l2 logreg solved by L-BFGS, differing in C (see
 * rt_logreg_fit_batch); lasso and elasticnet, whose coordinate descents
 * all run on one centered Gram matrix (or design) of ts (fam_linear_cd.h).  out[c]: the model (caller frees) or NULL with the
 * reason in errs[c].  Returns -1 (e set) only for out of memory or a
 * family without a batch solver. */
int  rt_fit_batch(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model **out,
                  ut_err *errs, ut_err *e);
/* l2 logreg on n x p with nout outputs (1 binary, else classes): 1 when
 * Newton's method (exact Hessian) is cheaper than L-BFGS and so solves it;
 * the estimated seconds of one fit, cold or warm-started on a C path. */
int    rt_logreg_newton(int n, int p, int nout);
double rt_logreg_cost(int n, int p, int nout, double C, int on_path);
/* l1 logreg of these dimensions is closed to the optimum at rounding level
 * (fam_logreg.c), so its fits may be warm-started along the C path. */
int    rt_logreg_l1_path(int n, int p, int nout);
/* l1 logreg: the estimated seconds of one cold fit. */
double rt_logreg_l1_cost(int n, int p, int nout, double C);
/* lasso / elasticnet on n x p: 1 when coordinate descent runs on the
 * centered Gram matrix (no larger than the data, n ≥ p, and at most 2048²),
 * else on the centered columns (fam_linear_cd.h). */
int    rt_enet_gram_pays(int n, int p);
/* linsvm with params (params.def order) on p columns: 1 when the finite
 * Newton method solves it (squared hinge, a (p+1)² Hessian of at most
 * 2048²), so a C path ends where cold fits do; rt_linsvm_fit_from starts
 * every subproblem from `from`'s weights (a model of the same classes and
 * columns; NULL: from 0). */
int    rt_linsvm_newton(const rt_pval *params, int p);
int    rt_linsvm_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model *m,
                          ut_err *e);
/* Newton's Hessian of C·Σ s_i·logloss_i + ½||W||² (+ ½(Σ b)² multiclass) at
 * the rows' probabilities prob (n x nout), into H (d x d, d = nout·(p+1),
 * the caller's): for tests, which check it against the Kronecker formula.
 * sw: row weights or NULL.  Returns 0, or -1 out of memory. */
int    rt_logreg_hessian(const double *X, int n, int p, int nout, const double *prob, const double *sw, double C,
                         double *H);
/* pred[n]: predicted value (regression) or class code as double.
 * proba (may be NULL): n x nclasses class probabilities / scores normalized
 * to sum 1 (for metrics such as logloss/auc).  Returns 0 / -1. */
int  rt_predict(const rt_model *m, const double *X, int n, int p,
                double *pred, double *proba, ut_err *e);
void rt_model_free(rt_model *m);   /* NULL-safe */

#endif
