/** The job-creating actions live with the store; this path stays for the screens that import it. */
export { createCommand, createDownload, createVerify } from '../../store/actions/newJobs';
